//! How a scope of units splits into regions that are planned on their own. Units
//! linked by shared borders and short gaps (see links) form parts; a part with a rep's
//! home ZIP in it is a region, with its reps' territories, and no territory spans two
//! regions. Parts without a rep join the nearest region over the gap (a piece of some
//! territory there, said so in the summary); territories without a rep go where the
//! weight per territory is highest. Pure data in, pure data out: no project here.

use super::links::{component_ids, Link};
use super::dist;

/// One region: its units and the territories that share them (positions in the
/// scope's territory list).
#[derive(Clone, Debug, PartialEq)]
pub struct Region {
    pub units: Vec<u32>,
    pub territories: Vec<u32>,
}

/// A part without a rep joined to a region across a wide gap.
#[derive(Clone, Debug, PartialEq)]
pub struct Orphan {
    pub units: Vec<u32>,
    /// The link that joins it: from one of its units to the nearest unit of the region.
    pub link: Link,
    pub region: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub regions: Vec<Region>,
    /// The links that join orphan parts to their region (not borders: pieces).
    pub orphans: Vec<Orphan>,
}

impl Plan {
    /// Everything one region: when territories may be in pieces, one may span parts
    /// that do not touch.
    pub fn single(units: usize, territories: usize) -> Self {
        Self { regions: vec![Region { units: (0..units as u32).collect(), territories: (0..territories as u32).collect() }], orphans: Vec::new() }
    }

    /// The adjacency to solve with: `adjacency` plus the orphans' links.
    pub fn solving_adjacency(&self, adjacency: &[Vec<u32>]) -> Vec<Vec<u32>> {
        let mut out = adjacency.to_vec();
        for o in &self.orphans {
            out[o.link.a as usize].push(o.link.b);
            out[o.link.b as usize].push(o.link.a);
        }
        out
    }
}

/// Splits a scope. `adjacency`: shared borders and short gap links; `homes`: the home
/// unit of each territory's rep (`None`: vacant).
pub fn plan(adjacency: &[Vec<u32>], xy: &[[f64; 2]], weights: &[f64], homes: &[Option<u32>]) -> Plan {
    let n = adjacency.len();
    let k = homes.len();
    let (component, count) = component_ids(adjacency);
    let mut part_weight = vec![0.0; count];
    let mut part_units: Vec<Vec<u32>> = vec![Vec::new(); count];
    for u in 0..n {
        part_weight[component[u] as usize] += weights[u];
        part_units[component[u] as usize].push(u as u32);
    }
    let total: f64 = part_weight.iter().sum();
    // Parts that hold a rep's home are regions; so are parts that weigh at least half
    // a territory while territories without a rep are to be placed (or, with no rep
    // at all, the heaviest part).
    let mut anchored = vec![false; count];
    for h in homes.iter().flatten() {
        anchored[component[*h as usize] as usize] = true;
    }
    if homes.iter().any(Option::is_none) {
        for p in 0..count {
            anchored[p] |= part_weight[p] * 2.0 * k.max(1) as f64 >= total && total > 0.0;
        }
    }
    if !anchored.contains(&true) {
        let heaviest = (0..count).max_by(|a, b| part_weight[*a].total_cmp(&part_weight[*b]).then(part_units[*a].len().cmp(&part_units[*b].len()))).unwrap_or(0);
        anchored[heaviest] = true;
    }
    let mut region_of_part = vec![usize::MAX; count];
    let mut regions: Vec<Region> = Vec::new();
    for p in (0..count).filter(|p| anchored[*p]) {
        region_of_part[p] = regions.len();
        regions.push(Region { units: part_units[p].clone(), territories: Vec::new() });
    }
    // Rep territories go to the region of their home.
    for (t, h) in homes.iter().enumerate() {
        if let Some(h) = h {
            regions[region_of_part[component[*h as usize] as usize]].territories.push(t as u32);
        }
    }
    // Territories without a rep: first to regions without any territory (heaviest
    // first), then each to the region whose territories carry the most.
    let region_weight = |r: &Region| r.units.iter().map(|u| weights[*u as usize]).sum::<f64>();
    let mut vacant: Vec<u32> = (0..k as u32).filter(|t| homes[*t as usize].is_none()).collect();
    vacant.reverse();
    let mut empty: Vec<usize> = (0..regions.len()).filter(|r| regions[*r].territories.is_empty()).collect();
    empty.sort_by(|a, b| region_weight(&regions[*b]).total_cmp(&region_weight(&regions[*a])));
    for r in empty {
        match vacant.pop() {
            Some(t) => regions[r].territories.push(t),
            None => break,
        }
    }
    while let Some(t) = vacant.pop() {
        let best = (0..regions.len())
            .filter(|r| !regions[*r].territories.is_empty() && regions[*r].units.len() > regions[*r].territories.len())
            .max_by(|a, b| {
                let per = |r: usize| region_weight(&regions[r]) / regions[r].territories.len() as f64;
                per(*a).total_cmp(&per(*b)).then(b.cmp(a))
            });
        match best {
            Some(r) => regions[r].territories.push(t),
            None => regions.iter_mut().max_by_key(|r| r.units.len()).into_iter().for_each(|r| r.territories.push(t)),
        }
    }
    // Regions left without a territory join the nearest one that has some, like the
    // parts without a rep.
    let served: Vec<bool> = regions.iter().map(|r| !r.territories.is_empty()).collect();
    let mut orphan_parts: Vec<Vec<u32>> = (0..count).filter(|p| !anchored[*p]).map(|p| part_units[p].clone()).collect();
    let mut kept = Vec::new();
    for (r, region) in regions.into_iter().enumerate() {
        if served[r] {
            kept.push(region);
        } else {
            orphan_parts.push(region.units);
        }
    }
    let mut regions = kept;
    let mut region_of_unit = vec![usize::MAX; n];
    for (r, region) in regions.iter().enumerate() {
        for u in &region.units {
            region_of_unit[*u as usize] = r;
        }
    }
    let served_units: Vec<u32> = (0..n as u32).filter(|u| region_of_unit[*u as usize] != usize::MAX).collect();
    let mut orphans = Vec::new();
    if !served_units.is_empty() {
        let tree = rstar::RTree::bulk_load(served_units.iter().map(|u| rstar::primitives::GeomWithData::new(xy[*u as usize], *u)).collect());
        for units in orphan_parts {
            let nearest = units
                .iter()
                .filter_map(|u| tree.nearest_neighbor(&xy[*u as usize]).map(|v| (*u, v.data, dist(xy[*u as usize], xy[v.data as usize]))))
                .min_by(|a, b| a.2.total_cmp(&b.2));
            let Some((a, b, km)) = nearest else { continue };
            let r = region_of_unit[b as usize];
            regions[r].units.extend(units.iter().copied());
            orphans.push(Orphan { units, link: Link { a, b, km }, region: r });
        }
    }
    for r in &mut regions {
        r.units.sort_unstable();
    }
    Plan { regions, orphans }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three separate strips of 10 units (x from 0, 1000 and 2000 km), and an island
    /// of two units near the first strip.
    fn strips() -> (Vec<Vec<u32>>, Vec<[f64; 2]>) {
        let mut adjacency = vec![Vec::new(); 32];
        let mut xy = Vec::new();
        for s in 0..3u32 {
            for i in 0..10u32 {
                let u = s * 10 + i;
                xy.push([s as f64 * 1000.0 + i as f64 * 10.0, 0.0]);
                if i > 0 {
                    adjacency[u as usize].push(u - 1);
                    adjacency[u as usize - 1].push(u);
                }
            }
        }
        xy.push([-60.0, 0.0]);
        xy.push([-70.0, 0.0]);
        adjacency[30].push(31);
        adjacency[31].push(30);
        (adjacency, xy)
    }

    #[test]
    fn reps_stay_in_their_region_and_vacant_territories_go_where_the_weight_is() {
        let (adjacency, xy) = strips();
        let mut weights = vec![1.0; 32];
        for w in &mut weights[20..30] {
            *w = 5.0; // the third strip is heavy
        }
        // Two reps in the first strip, one in the second, three vacant territories.
        let homes = vec![Some(0), Some(9), Some(15), None, None, None];
        let plan = plan(&adjacency, &xy, &weights, &homes);
        assert_eq!(plan.regions.len(), 3);
        let region_of = |u: u32| plan.regions.iter().position(|r| r.units.contains(&u)).unwrap();
        let territories = |u: u32| plan.regions[region_of(u)].territories.clone();
        assert_eq!(territories(0), vec![0, 1]);
        // The heavy strip had no rep: it gets the vacant territories it needs.
        assert!(territories(25).len() >= 2, "{:?}", plan.regions);
        // The island (units 30, 31) joins the first strip across the gap.
        assert_eq!(plan.orphans.len(), 1);
        assert_eq!(region_of(30), region_of(0));
        assert!((plan.orphans[0].link.km - 60.0).abs() < 1e-9);
    }

    #[test]
    fn a_region_without_reps_or_spare_territories_joins_its_neighbour() {
        let (adjacency, xy) = strips();
        let weights = vec![1.0; 32];
        let homes = vec![Some(0), Some(12)];
        let plan = plan(&adjacency, &xy, &weights, &homes);
        assert_eq!(plan.regions.len(), 2);
        assert_eq!(plan.regions.iter().map(|r| r.units.len()).sum::<usize>(), 32, "every unit is in a region");
        assert_eq!(plan.orphans.len(), 2, "the third strip and the island");
    }
}
