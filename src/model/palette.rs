//! Default colours of territories.

use super::entities::Rgb;

/// Distinct categorical colours for territories: Tableau 10, then the two Dark 2
/// colours unlike any of them (violet, magenta), then Set 3; repeats past 24.
pub fn territory_palette(count: usize) -> Vec<Rgb> {
    (0..count).map(territory_colour).collect()
}

/// The colour of the `index`-th territory in the default palette.
pub fn territory_colour(index: usize) -> Rgb {
    let tableau = colorous::TABLEAU10.iter();
    let dark = [colorous::DARK2[2], colorous::DARK2[3]];
    let colours: Vec<colorous::Color> = tableau.copied().chain(dark).chain(colorous::SET3.iter().copied()).collect();
    let c = colours[index % colours.len()];
    Rgb(c.r, c.g, c.b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_twelve_colours_differ_and_the_palette_repeats() {
        let palette = territory_palette(48);
        let first: std::collections::BTreeSet<_> = palette[..12].iter().map(|c| (c.0, c.1, c.2)).collect();
        assert_eq!(first.len(), 12);
        assert_eq!(palette[0], palette[24]);
    }
}
