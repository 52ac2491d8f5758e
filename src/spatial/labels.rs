//! Where each territory's name goes on the map: on one of its own ZIPs (so it is inside
//! the territory even when the territory is C-shaped), the one nearest the territory's
//! area-weighted centre.

use super::mercator::{to_mercator, MercBox};
use crate::model::ids::TerritoryId;
use crate::model::project::Project;
use crate::model::scenario::Scenario;

/// A territory's label anchor (mercator) and the box of its ZIPs.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelAnchor {
    pub territory: TerritoryId,
    pub at: [f64; 2],
    pub bounds: MercBox,
    /// Area of the territory (km²), to place large territories' names first.
    pub area_km2: f64,
}

/// Each unit's centre in mercator units (what `territory_anchors` needs).
pub fn unit_centres(project: &Project) -> Vec<[f64; 2]> {
    project.units.iter().map(|u| to_mercator(u.centroid.lon, u.centroid.lat)).collect()
}

/// One anchor per territory with ZIPs, largest territories first. `centres` and
/// `unit_bounds`: each unit's mercator centre and box. Cost: O(units).
pub fn territory_anchors(project: &Project, scenario: &Scenario, centres: &[[f64; 2]], unit_bounds: &[MercBox]) -> Vec<LabelAnchor> {
    let k = scenario.territories.len();
    let positions: std::collections::HashMap<TerritoryId, usize> = scenario.territories.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
    let position = |t: TerritoryId| positions.get(&t).copied();
    let mut sums = vec![([0.0f64; 2], 0.0f64, MercBox::EMPTY); k];
    for (u, owner) in scenario.unit_territory.iter().enumerate() {
        let Some(i) = owner.and_then(position) else { continue };
        let w = project.units[u].area_km2.max(1e-6);
        let s = &mut sums[i];
        s.0[0] += centres[u][0] * w;
        s.0[1] += centres[u][1] * w;
        s.1 += w;
        if let Some(b) = unit_bounds.get(u) {
            s.2 = s.2.union(b);
        }
    }
    let mean: Vec<Option<[f64; 2]>> = sums.iter().map(|(c, w, _)| (*w > 0.0).then(|| [c[0] / w, c[1] / w])).collect();
    let mut best: Vec<Option<(f64, usize)>> = vec![None; k];
    for (u, owner) in scenario.unit_territory.iter().enumerate() {
        let Some(i) = owner.and_then(position) else { continue };
        let Some(m) = mean[i] else { continue };
        let d = (centres[u][0] - m[0]).powi(2) + (centres[u][1] - m[1]).powi(2);
        if best[i].is_none_or(|(bd, _)| d < bd) {
            best[i] = Some((d, u));
        }
    }
    let mut anchors: Vec<LabelAnchor> = scenario
        .territories
        .iter()
        .enumerate()
        .filter_map(|(i, t)| best[i].map(|(_, u)| LabelAnchor { territory: t.id, at: centres[u], bounds: sums[i].2, area_km2: sums[i].1 }))
        .collect();
    anchors.sort_by(|a, b| b.area_km2.total_cmp(&a.area_km2));
    anchors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::grid_project;

    #[test]
    fn each_label_sits_on_one_of_its_territory_s_zips() {
        let project = grid_project(12, 6, 0.1, 0, 4, 1);
        let scenario = &project.scenarios[0];
        let bounds: Vec<MercBox> = project.units.iter().map(|u| {
            let mut b = MercBox::EMPTY;
            b.extend(to_mercator(u.centroid.lon, u.centroid.lat));
            b
        }).collect();
        let anchors = territory_anchors(&project, scenario, &unit_centres(&project), &bounds);
        assert_eq!(anchors.len(), 4);
        for a in &anchors {
            let unit = project.units.iter().position(|u| to_mercator(u.centroid.lon, u.centroid.lat) == a.at).unwrap();
            assert_eq!(scenario.unit_territory[unit], Some(a.territory));
        }
    }
}
