//! Why a proposal misses its tolerance, in sentences a planner can act on, and the
//! bound on the deviation that no plan can beat (only what is proven: a ZIP heavier
//! than a share, or regions whose reps cannot share the weight equally).

use super::heap::Smallest;
use super::plan::Plan;
use super::{dist, Problem, Solution};
use std::collections::BinaryHeap;

/// The least largest deviation from the mean any plan can reach, and why (a sentence;
/// `None` when nothing forces any): a unit heavier than the mean forces its own excess,
/// and every region's territories share that region's weight (no territory spans two
/// regions), so some of them carry at least its mean.
pub fn lower_bound(problem: &Problem, plan: &Plan, names: &[String], codes: &[String]) -> (f64, Option<String>) {
    let mean = problem.total_weight() / problem.k.max(1) as f64;
    if mean <= 0.0 {
        return (0.0, None);
    }
    let heavy = super::lower_bound(problem);
    let mut bound = (heavy, None);
    if heavy > 0.0 {
        if let Some((u, _)) = problem.weights.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)) {
            bound.1 = Some(format!("ZIP {} alone is {:.1}% over the mean", codes.get(u).map_or("?", String::as_str), heavy * 100.0));
        }
    }
    for r in plan.regions.iter().filter(|r| !r.territories.is_empty()) {
        let dev = (region_weight(problem, r) / r.territories.len() as f64 / mean - 1.0).abs();
        if dev > bound.0 {
            let who: Vec<String> = r.territories.iter().map(|t| names[*t as usize].clone()).collect();
            bound = (dev, Some(format!("the area of {} does not touch the rest and its reps cannot share the weight equally with the others", list(&who))));
        }
    }
    bound
}

/// Weight of a region: its units and its territories' base loads.
fn region_weight(problem: &Problem, r: &super::plan::Region) -> f64 {
    r.units.iter().map(|u| problem.weights[*u as usize]).sum::<f64>() + r.territories.iter().map(|t| problem.base_load(*t as usize)).sum::<f64>()
}

/// Each territory's deviation from what its region can give it: the region's weight
/// shared by its territories (a ZIP heavier than that share keeps its excess, see
/// goals), as a fraction of that share. What the tolerance is judged on when regions
/// cannot be balanced against each other.
pub fn regional_deviations(problem: &Problem, plan: &Plan, assignment: &[u32]) -> Vec<f64> {
    let loads = super::goals::loads(problem, assignment);
    let mut floors = super::goals::floors(problem);
    for (u, &t) in assignment.iter().enumerate() {
        let t = t as usize;
        floors[t] = floors[t].max(problem.base_load(t) + problem.weights[u]);
    }
    let mut out = vec![0.0; problem.k];
    for r in &plan.regions {
        let ts: Vec<usize> = r.territories.iter().map(|t| *t as usize).collect();
        let goals = super::goals::Goals::from_floors(&ts.iter().map(|t| floors[*t]).collect::<Vec<_>>(), region_weight(problem, r));
        for (i, t) in ts.iter().enumerate() {
            out[*t] = goals.deviation(i, loads[*t]);
        }
    }
    out
}

/// Up to three names, "and N more".
fn list(names: &[String]) -> String {
    match names.len() {
        0 => String::new(),
        1..=3 => names.join(", "),
        n => format!("{} and {} more", names[..3].join(", "), n - 3),
    }
}

/// A compass word for a direction in the plane (x east, y north).
fn compass(dx: f64, dy: f64) -> &'static str {
    let angle = dy.atan2(dx).to_degrees();
    let words = ["east", "north-east", "north", "north-west", "west", "south-west", "south", "south-east"];
    let i = (((angle + 360.0 + 22.5) % 360.0) / 45.0).floor() as usize % 8;
    words[i]
}

/// Each unit's nearest home along the units' adjacency (`u32::MAX`: no home reaches
/// it): the catchment of every rep.
fn catchments(problem: &Problem, homes: &[Option<u32>]) -> Vec<u32> {
    let n = problem.weights.len();
    let mut best = vec![f64::INFINITY; n];
    let mut owner = vec![u32::MAX; n];
    let mut heap = BinaryHeap::new();
    for (t, h) in homes.iter().enumerate() {
        if let Some(h) = h {
            best[*h as usize] = 0.0;
            owner[*h as usize] = t as u32;
            heap.push(Smallest::new(0.0, *h, t as u32));
        }
    }
    while let Some(Smallest { key: d, unit: u, tag: t }) = heap.pop() {
        if d > best[u as usize] {
            continue;
        }
        for &v in &problem.adjacency[u as usize] {
            let nd = d + dist(problem.xy_km[u as usize], problem.xy_km[v as usize]);
            if nd < best[v as usize] {
                best[v as usize] = nd;
                owner[v as usize] = t;
                heap.push(Smallest::new(nd, v, t));
            }
        }
    }
    owner
}

/// Sentences on what kept the proposal from its tolerance (none when it met it and has
/// no piece to admit). `names`: each territory's name; `codes`: each unit's code.
pub fn explain(problem: &Problem, plan: &Plan, solution: &Solution, homes: &[Option<u32>], names: &[String], codes: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let k = problem.k;
    let tolerance = problem.tolerance;
    let total = problem.total_weight();
    let mean = total / k.max(1) as f64;
    if mean <= 0.0 {
        return out;
    }
    let pct = |x: f64| format!("{:+.0}%", x * 100.0);
    // Regions that cannot share the weight evenly with the reps they have.
    let mut explained = vec![false; k];
    if plan.regions.len() > 1 {
        let mut uneven = Vec::new();
        for r in &plan.regions {
            let w = region_weight(problem, r);
            let kr = r.territories.len();
            let dev = w / kr as f64 / mean - 1.0;
            if dev.abs() > tolerance {
                let who: Vec<String> = r.territories.iter().map(|t| names[*t as usize].clone()).collect();
                let fair_count = (w / total * k as f64).round().max(1.0) as usize;
                uneven.push((dev, format!(
                    "The area of {} ({} ZIPs, not touching the rest) holds {:.0}% of the weight with {kr} of {k} territories: its territories are at best {} from the mean{}.",
                    list(&who),
                    r.units.len(),
                    w / total * 100.0,
                    pct(dev),
                    if fair_count != kr { format!("; in proportion to its weight it would have {fair_count}") } else { String::new() }
                )));
                for t in &r.territories {
                    explained[*t as usize] = true;
                }
            }
        }
        if !uneven.is_empty() {
            let high = uneven.iter().map(|u| u.0).fold(f64::NEG_INFINITY, f64::max);
            let low = uneven.iter().map(|u| u.0).fold(f64::INFINITY, f64::min);
            let range = if high > 0.0 && low < 0.0 { format!("{} / {}", pct(high), pct(low)) } else { pct(if high.abs() > low.abs() { high } else { low }) };
            out.push(format!(
                "{} areas do not touch each other and no territory spans two, so each is balanced on its own: against the mean, the best balance is {range}. Within each area the territories are judged against the area's own share.",
                plan.regions.len()
            ));
            out.extend(uneven.into_iter().map(|u| u.1));
        }
    }
    // Parts no rep is at home in, served across a wide gap: one sentence per territory
    // that serves any.
    let mut served: Vec<(u32, Vec<&super::plan::Orphan>)> = Vec::new();
    for o in &plan.orphans {
        let Some(&t) = o.units.first().and_then(|u| solution.assignment.get(*u as usize)) else { continue };
        match served.iter_mut().find(|(x, _)| *x == t) {
            Some((_, list)) => list.push(o),
            None => served.push((t, vec![o])),
        }
    }
    for (t, parts) in &served {
        let first = parts[0];
        let code = codes.get(first.units[0] as usize).cloned().unwrap_or_default();
        let units: usize = parts.iter().map(|o| o.units.len()).sum();
        if parts.len() == 1 {
            out.push(format!(
                "{units} ZIPs around {code} lie {:.0} km from the nearest other ZIP and no rep's home is among them: {} serves them as a separate piece.",
                first.link.km, names[*t as usize]
            ));
        } else {
            let (near, far) = parts.iter().map(|o| o.link.km).fold((f64::INFINITY, 0.0_f64), |(a, b), km| (a.min(km), b.max(km)));
            out.push(format!(
                "{} serves {} separate pieces ({units} ZIPs, e.g. around {code}) that lie {near:.0} to {far:.0} km from the nearest other ZIP, with no rep's home among them.",
                names[*t as usize],
                parts.len()
            ));
        }
    }
    // A unit heavier than a share.
    if let Some((u, w)) = problem.weights.iter().copied().enumerate().max_by(|a, b| a.1.total_cmp(&b.1)) {
        if w > mean * (1.0 + tolerance) {
            out.push(format!("ZIP {} alone holds {:.0}% of a territory's share: its territory cannot be within the tolerance.", codes.get(u).cloned().unwrap_or_default(), w / mean * 100.0));
            explained[solution.assignment[u] as usize] = true;
        }
    }
    // Each territory's share: its region's weight over the region's territories.
    let mut share_of = vec![mean; k];
    for r in &plan.regions {
        let per = region_weight(problem, r) / r.territories.len().max(1) as f64;
        for t in &r.territories {
            share_of[*t as usize] = per;
        }
    }
    // Territories still outside: what their reps' home bases leave them.
    let owner = catchments(problem, homes);
    let mut catch = vec![0.0; k];
    for (u, t) in owner.iter().enumerate() {
        if (*t as usize) < k {
            catch[*t as usize] += problem.weights[u];
        }
    }
    // Home bases spread unlike the weight: many reps nearest far more or far less than
    // a share.
    let with_home: Vec<usize> = (0..k).filter(|t| homes[*t].is_some() && share_of[*t] > 0.0).collect();
    let over: Vec<usize> = with_home.iter().copied().filter(|t| catch[*t] > 1.5 * share_of[*t]).collect();
    let under = with_home.iter().filter(|t| catch[**t] < 0.5 * share_of[**t]).count();
    // (With a few territories the sentences on each one below say it better.)
    if k >= 20 && over.len() + under >= k / 10 && solution.unforced_deviation > tolerance {
        if let Some(&most) = over.iter().max_by(|a, b| (catch[**a] / share_of[**a]).total_cmp(&(catch[**b] / share_of[**b]))) {
            out.push(format!(
                "The reps' home bases are spread unlike the weight: the ZIPs nearest {} of them hold more than 1.5 shares each (most: {} with {:.0}%), those nearest {under} less than half a share. Balance then needs territories reaching far from their reps' homes, around and between other territories, which keeping each in one piece limits.",
                over.len(),
                names[most],
                catch[most] / share_of[most] * 100.0
            ));
        }
    }
    let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (u, &t) in solution.assignment.iter().enumerate() {
        for &v in &problem.adjacency[u] {
            let other = solution.assignment[v as usize] as usize;
            if other != t as usize && !neighbours[t as usize].contains(&other) {
                neighbours[t as usize].push(other);
            }
        }
    }
    let mut stuck: Vec<usize> = (0..k).filter(|t| !explained[*t] && solution.deviations.get(*t).is_some_and(|d| d.abs() > tolerance)).collect();
    stuck.sort_by(|a, b| solution.deviations[*b].abs().total_cmp(&solution.deviations[*a].abs()).then(a.cmp(b)));
    let short: Vec<usize> = stuck.iter().copied().filter(|t| solution.deviations[*t] < 0.0).collect();
    let mut moves = Vec::new();
    let mut carrying = Vec::new();
    let mut said = 0;
    for &t in &stuck {
        let dev = solution.deviations[t];
        let share = if share_of[t] > 0.0 { catch[t] / share_of[t] } else { 0.0 };
        let around = || list(&neighbours[t].iter().map(|n| names[*n].clone()).collect::<Vec<_>>());
        let sentence = match homes[t] {
            Some(h) if dev < 0.0 => {
                // Toward the weight it lacks: the weighted centre of the units outside it.
                let (mut sx, mut sy, mut sw) = (0.0, 0.0, 0.0);
                for (u, a) in solution.assignment.iter().enumerate() {
                    if *a as usize != t {
                        let w = problem.weights[u];
                        sx += w * problem.xy_km[u][0];
                        sy += w * problem.xy_km[u][1];
                        sw += w;
                    }
                }
                if sw > 0.0 && moves.len() < 2 {
                    let at = problem.xy_km[h as usize];
                    moves.push(format!("move {}'s home base {}, toward the weight (or a neighbour's away from it)", names[t], compass(sx / sw - at[0], sy / sw - at[1])));
                }
                if 1.0 + dev < share - tolerance {
                    format!(
                        "{} reaches {:.0}% of its share, though the ZIPs nearer its rep's home base than any other rep's hold {:.0}%: {} around it, carrying weight from denser areas, hold some of them.",
                        names[t],
                        (1.0 + dev) * 100.0,
                        share * 100.0,
                        around()
                    )
                } else if share < 1.0 - tolerance {
                    format!(
                        "{} reaches {:.0}% of its share: its rep's home base is at the end of a chain of ZIPs holding only {:.0}% of a share (those nearer it than any other rep's), and {} {} between it and more weight.",
                        names[t],
                        (1.0 + dev) * 100.0,
                        share * 100.0,
                        around(),
                        if neighbours[t].len() == 1 { "lies" } else { "lie" }
                    )
                } else {
                    format!("{} reaches {:.0}% of its share: {} around it cannot pass it more without breaking apart or leaving the tolerance.", names[t], (1.0 + dev) * 100.0, around())
                }
            }
            _ if dev > 0.0 && !short.is_empty() => {
                carrying.push(t);
                continue;
            }
            Some(_) if share > 1.0 + tolerance => format!(
                "{} is at {}: the ZIPs nearer its rep's home base than any other rep's hold {:.0}% of a share, and {} around it cannot take more without breaking apart.",
                names[t],
                pct(dev),
                share * 100.0,
                around()
            ),
            _ => format!("{} ends at {}: what its neighbours could pass on would break a territory apart or push another out of the tolerance.", names[t], pct(dev)),
        };
        if said < 5 {
            out.push(sentence);
        }
        said += 1;
    }
    if !carrying.is_empty() {
        let (lo, hi) = carrying.iter().map(|t| solution.deviations[*t]).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), d| (lo.min(d), hi.max(d)));
        let range = if (hi - lo) < 0.005 { pct(hi) } else { format!("{} to {}", pct(lo), pct(hi)) };
        let (carry, end) = if carrying.len() == 1 { ("carries", "it ends") } else { ("carry", "they end") };
        out.push(format!(
            "{} {carry} what {} cannot take: {end} at {range}.",
            list(&carrying.iter().map(|t| names[*t].clone()).collect::<Vec<_>>()),
            list(&short.iter().map(|t| names[*t].clone()).collect::<Vec<_>>())
        ));
    }
    if said > 5 {
        out.push(format!("{} more territories are outside the tolerance.", said - 5));
    }
    if solution.unforced_deviation > tolerance {
        let mut help = moves;
        if problem.contiguous {
            help.push("allow territories in pieces".to_string());
        }
        let reach = (solution.unforced_deviation * 100.0).ceil();
        if reach < 100.0 {
            help.push(format!("a tolerance of {reach:.0}%"));
        }
        if !help.is_empty() && !out.is_empty() {
            out.push(format!("What would help: {}.", help.join("; ")));
        }
    } else if plan.regions.len() > 1 && solution.max_deviation > tolerance && problem.contiguous {
        out.push("What would help: reps moved between the areas in proportion to their weight, or territories allowed in pieces (a rep then serves ZIPs in another area).".to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compass_words_follow_the_plane() {
        assert_eq!(compass(1.0, 0.0), "east");
        assert_eq!(compass(0.0, 1.0), "north");
        assert_eq!(compass(-1.0, -1.0), "south-west");
        assert_eq!(list(&["a".into(), "b".into(), "c".into(), "d".into()]), "a, b, c and 1 more");
    }
}
