//! Default colours of territories.

use super::entities::Rgb;
use super::ids::TerritoryId;
use super::scenario::Scenario;

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

/// How many colours the palette has before it repeats.
pub const PALETTE_SIZE: usize = 24;

/// Territories that share a border, from the units' rook adjacency.
pub fn territory_adjacency(scenario: &Scenario, unit_neighbours: &[Vec<u32>]) -> Vec<(TerritoryId, TerritoryId)> {
    let mut pairs = std::collections::BTreeSet::new();
    for (u, owner) in scenario.unit_territory.iter().enumerate() {
        let Some(a) = owner else { continue };
        for v in unit_neighbours.get(u).into_iter().flatten() {
            if let Some(b) = scenario.unit_territory.get(*v as usize).copied().flatten() {
                if *a < b {
                    pairs.insert((*a, b));
                }
            }
        }
    }
    pairs.into_iter().collect()
}

/// New colours so that no two territories sharing a border share a colour, changing as
/// few as it can: territories are taken most-constrained first (DSatur), each keeps its
/// colour unless a neighbour already has it, else takes the first free palette colour.
/// Returns the territories whose colour changes.
pub fn distinct_colours(scenario: &Scenario, unit_neighbours: &[Vec<u32>]) -> Vec<(TerritoryId, Rgb)> {
    let palette = territory_palette(PALETTE_SIZE);
    let ids: Vec<TerritoryId> = scenario.territories.iter().map(|t| t.id).collect();
    let index = |t: TerritoryId| ids.iter().position(|x| *x == t);
    let mut adjacent: Vec<Vec<usize>> = vec![Vec::new(); ids.len()];
    for (a, b) in territory_adjacency(scenario, unit_neighbours) {
        if let (Some(i), Some(j)) = (index(a), index(b)) {
            adjacent[i].push(j);
            adjacent[j].push(i);
        }
    }
    let mut colour: Vec<Option<Rgb>> = vec![None; ids.len()];
    for _ in 0..ids.len() {
        // The uncoloured territory with the most differently coloured neighbours, then
        // the most neighbours.
        let saturation = |i: usize| {
            let mut seen: Vec<Rgb> = adjacent[i].iter().filter_map(|j| colour[*j]).collect();
            seen.sort_by_key(|c| (c.0, c.1, c.2));
            seen.dedup();
            seen.len()
        };
        let Some(next) = (0..ids.len()).filter(|i| colour[*i].is_none()).max_by_key(|i| (saturation(*i), adjacent[*i].len(), usize::MAX - *i)) else { break };
        let taken: Vec<Rgb> = adjacent[next].iter().filter_map(|j| colour[*j]).collect();
        let current = scenario.territories[next].color;
        let chosen = if !taken.contains(&current) { current } else { palette.iter().copied().find(|c| !taken.contains(c)).unwrap_or(current) };
        colour[next] = Some(chosen);
    }
    scenario
        .territories
        .iter()
        .zip(colour)
        .filter_map(|(t, c)| c.filter(|c| *c != t.color).map(|c| (t.id, c)))
        .collect()
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

    #[test]
    fn neighbours_end_up_with_different_colours_and_others_keep_theirs() {
        let mut project = crate::fixtures::grid_project(12, 6, 0.1, 0, 6, 1);
        let neighbours = crate::fixtures::grid_neighbours(12, 6);
        // Six stripes all in the same colour: neighbours clash.
        for t in project.scenarios[0].territories.iter_mut() {
            t.color = Rgb(10, 20, 30);
        }
        let scenario = &project.scenarios[0];
        let changes = distinct_colours(scenario, &neighbours);
        let mut recoloured = scenario.clone();
        for (id, c) in &changes {
            recoloured.territory_mut(*id).unwrap().color = *c;
        }
        for (a, b) in territory_adjacency(&recoloured, &neighbours) {
            assert_ne!(recoloured.territory(a).unwrap().color, recoloured.territory(b).unwrap().color);
        }
        assert!(changes.len() < 6, "one stripe of each clashing pair may keep its colour");
        assert!(distinct_colours(&recoloured, &neighbours).is_empty(), "nothing left to change");
    }
}
