//! The optimizer applied to a project: units weighted by a measure, rep home bases as
//! centres, locked territories kept, and the result as a new scenario.

pub use super::measure::{unit_weights, Measure};
use super::measure::weights;
use super::{solve, OptimizeError, Problem, Progress, Solution};
use crate::metrics::ScenarioMetrics;
use crate::model::entities::{Account, LonLat};
use crate::model::ids::{AccountId, ScenarioId, TerritoryId};
use crate::model::project::Project;
use crate::model::scenario::Scenario;
use crate::drivetime::great_circle_km;
use proj4rs::proj::Proj;

/// The default name of a proposal (numbered when taken).
pub const PROPOSAL_NAME: &str = "Balanced (optimizer)";

#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    pub measure: Measure,
    /// Allowed deviation from a territory's share, as a fraction (0.05 = 5%).
    pub tolerance: f64,
    /// 0 ignores the start plan; higher keeps more ZIPs where they are.
    pub disruption: f64,
    pub seed: u64,
    /// Keep every territory in one piece.
    pub contiguous: bool,
}

/// What the planner asks the optimizer for, from the dialog or the command line: both
/// go through `run`, which checks it first.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// The scenario to start from (its territories, reps and locks).
    pub start: ScenarioId,
    /// How many territories (a local rebalance keeps the ones it names).
    pub territories: usize,
    /// Local rebalance: only these territories change, among themselves.
    pub only: Option<Vec<TerritoryId>>,
    pub options: Options,
}

impl Request {
    /// The request's start scenario, or what is wrong with the request.
    pub fn check<'p>(&self, project: &'p Project) -> Result<&'p Scenario, OptimizeError> {
        let invalid = |text: &str| Err(OptimizeError::Invalid(text.to_string()));
        let start = match project.scenario(self.start) {
            Some(s) => s,
            None => return invalid("the start scenario no longer exists; choose another"),
        };
        let o = &self.options;
        if !(o.tolerance.is_finite() && o.tolerance > 0.0 && o.tolerance < 1.0) {
            return invalid("the tolerance must be above 0% and below 100%");
        }
        if !(o.disruption.is_finite() && o.disruption >= 0.0) {
            return invalid("'keep changes small' must be 0 or more");
        }
        if self.only.is_none() {
            if self.territories == 0 {
                return invalid("ask for at least one territory");
            }
            if self.territories > project.units.len() {
                return Err(OptimizeError::Invalid(format!("{} territories cannot be made from {} ZIPs", self.territories, project.units.len())));
            }
        }
        Ok(start)
    }

    /// Checks the request and runs the optimizer.
    pub fn run(&self, project: &Project, progress: Progress) -> Result<Proposal, OptimizeError> {
        let start = self.check(project)?;
        match &self.only {
            Some(ids) => propose_local(project, start, ids, &self.options, progress),
            None => propose(project, start, self.territories, &self.options, progress),
        }
    }
}

/// The territories a local rebalance around `centre` works on: `centre` first, then
/// every unlocked territory that shares a border with it (`neighbours`: unit adjacency).
pub fn local_scope(scenario: &Scenario, neighbours: &[Vec<u32>], centre: TerritoryId) -> Vec<TerritoryId> {
    let mut scope = vec![centre];
    for (u, owner) in scenario.unit_territory.iter().enumerate() {
        if *owner != Some(centre) {
            continue;
        }
        for v in neighbours.get(u).into_iter().flatten() {
            let other = scenario.unit_territory.get(*v as usize).copied().flatten();
            if let Some(n) = other.filter(|n| !scope.contains(n) && !scenario.is_locked(*n)) {
                scope.push(n);
            }
        }
    }
    scope
}

pub struct Proposal {
    /// The new alignment: the start scenario's territories, units reassigned.
    pub scenario: Scenario,
    pub solution: Solution,
    pub moved_units: usize,
    pub solve_secs: f64,
    /// The tolerance it was asked to meet.
    pub tolerance: f64,
    /// Territories left exactly as they were (locked, or outside a local rebalance).
    pub kept_territories: usize,
}

impl Proposal {
    /// Territories within the tolerance of their share (the mean, or what is left of it
    /// beside ZIPs that alone outweigh it).
    pub fn within_tolerance(&self) -> usize {
        self.solution.deviations.iter().filter(|d| d.abs() <= self.tolerance + 1e-12).count()
    }

    /// One line for the planner: balance, pieces, distance, ZIPs moved, time; and when
    /// one ZIP alone exceeds the tolerance, that bound and how the others fare.
    pub fn summary(&self) -> String {
        let s = &self.solution;
        let k = s.loads.len();
        let mut line = format!(
            "max deviation {:.1}% (tolerance {:.0}%), {} of {k} territories within the tolerance, {} in pieces, mean weighted distance {:.1} km, {} ZIPs moved, {:.2} s",
            s.max_deviation * 100.0,
            self.tolerance * 100.0,
            self.within_tolerance(),
            s.noncontiguous,
            s.mean_weighted_distance_km,
            self.moved_units,
            self.solve_secs
        );
        if self.kept_territories > 0 {
            line.push_str(&format!("; {} territories kept as they were", self.kept_territories));
        }
        if s.lower_bound > self.tolerance {
            line.push_str(&format!(
                "; the tolerance cannot be met: one ZIP alone is {:.1}% over the mean, and such ZIPs make territories of their own (the worst deviation beyond what they force is {:.1}%)",
                s.lower_bound * 100.0,
                s.unforced_deviation * 100.0
            ));
        }
        line
    }
}

/// The territory an account is pinned to in a scenario: its override, or for a named
/// account the territory of its unit. Pinned accounts stay with their rep whatever
/// happens to their ZIP.
fn pinned_territory(scenario: &Scenario, account: &Account) -> Option<TerritoryId> {
    scenario.account_overrides.get(&account.id).copied().or_else(|| if account.named { account.unit.and_then(|u| scenario.unit_territory(u)) } else { None })
}

/// Base loads of the listed territories from the accounts pinned to them.
fn base_loads(project: &Project, scenario: &Scenario, pinned: &[(AccountId, f64)], territories: &[TerritoryId]) -> Vec<f64> {
    let mut loads = vec![0.0; territories.len()];
    for (account, value) in pinned {
        let Some(a) = project.accounts.get(account.index()) else { continue };
        if let Some(p) = pinned_territory(scenario, a).and_then(|t| territories.iter().position(|x| *x == t)) {
            loads[p] += value;
        }
    }
    loads
}

/// Named accounts whose ZIP changed territory get an override to the territory they
/// had, so they stay with their rep.
fn keep_named_accounts(project: &Project, before: &Scenario, after: &mut Scenario) {
    for a in project.accounts.iter().filter(|a| a.named) {
        if after.account_overrides.contains_key(&a.id) {
            continue;
        }
        let (Some(was), Some(u)) = (before.account_territory(a.id, a.unit), a.unit) else { continue };
        if after.unit_territory(u) != Some(was) && after.territory(was).is_some() {
            after.account_overrides.insert(a.id, was);
        }
    }
}

/// The plane the optimizer measures distances in: a Lambert azimuthal equal-area
/// projection centred on the project (median ZIP centre), in km. Distances stay true
/// within a few percent across a region or the contiguous US, and Alaska is not
/// stretched as a plane fitted to the mean latitude would stretch it.
struct Plane {
    /// Longitude/latitude and the projection; `None` if the library refused them
    /// (then a plain scaling around the centre's latitude is used).
    projection: Option<(Proj, Proj)>,
    km_per_degree_lon: f64,
}

impl Plane {
    fn of(project: &Project) -> Self {
        let median = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v.get(v.len() / 2).copied().unwrap_or(0.0)
        };
        let lon0 = median(project.units.iter().map(|u| u.centroid.lon).collect());
        let lat0 = median(project.units.iter().map(|u| u.centroid.lat).collect());
        let wgs84 = "+proj=longlat +ellps=WGS84 +datum=WGS84 +no_defs";
        let laea = format!("+proj=laea +lat_0={lat0} +lon_0={lon0} +ellps=WGS84 +datum=WGS84 +units=m +no_defs");
        let projection = Proj::from_proj_string(wgs84).ok().zip(Proj::from_proj_string(&laea).ok());
        Self { projection, km_per_degree_lon: 111.32 * lat0.to_radians().cos() }
    }

    fn km(&self, p: LonLat) -> [f64; 2] {
        let mut point = (p.lon.to_radians(), p.lat.to_radians(), 0.0);
        match &self.projection {
            // The antipode of the centre has no image: the plain scaling then.
            Some((lon_lat, laea)) if proj4rs::transform::transform(lon_lat, laea, &mut point).is_ok() && point.0.is_finite() && point.1.is_finite() => [point.0 / 1000.0, point.1 / 1000.0],
            _ => [p.lon * self.km_per_degree_lon, p.lat * 110.57],
        }
    }

    fn units(&self, project: &Project) -> Vec<[f64; 2]> {
        project.units.iter().map(|u| self.km(u.centroid)).collect()
    }

    /// The rep home bases of `territories` as centres, when every one has a rep.
    fn rep_centres(&self, project: &Project, scenario: &Scenario, territories: impl Iterator<Item = TerritoryId>) -> Option<Vec<[f64; 2]>> {
        territories
            .map(|t| scenario.territory(t).and_then(|t| t.rep).and_then(|r| project.reps.get(r.index())).map(|r| self.km(r.home)))
            .collect()
    }
}

/// Joins every piece of a graph to the nearest unit outside it until it is connected.
fn join_islands(mut adjacency: Vec<Vec<u32>>, xy: &[[f64; 2]]) -> Vec<Vec<u32>> {
    let n = adjacency.len();
    loop {
        let all = vec![0u32; n];
        let mut pieces = super::components_of(&adjacency, &all, 0);
        if pieces.len() <= 1 {
            return adjacency;
        }
        pieces.sort_by_key(|p| std::cmp::Reverse(p.len()));
        let small = &pieces[pieces.len() - 1];
        let mut inside = vec![false; n];
        for u in small {
            inside[*u as usize] = true;
        }
        let mut best = (f64::INFINITY, 0u32, 0u32);
        for &u in small {
            for v in 0..n {
                if !inside[v] {
                    let d = super::dist(xy[u as usize], xy[v]);
                    if d < best.0 {
                        best = (d, u, v as u32);
                    }
                }
            }
        }
        adjacency[best.1 as usize].push(best.2);
        adjacency[best.2 as usize].push(best.1);
    }
}

/// Rebalances into `k` territories starting from `from`: its territories (and reps) are
/// kept, extra ones are added without a rep, surplus ones dropped (`k` below the count).
/// Locked territories are kept exactly: they neither give nor take a ZIP; the others
/// share the rest, unassigned ZIPs included.
pub fn propose(project: &Project, from: &Scenario, k: usize, options: &Options, progress: Progress) -> Result<Proposal, OptimizeError> {
    let started = std::time::Instant::now();
    if k == 0 {
        return Err(OptimizeError::Invalid("ask for at least one territory".into()));
    }
    let mut shaped = from.clone();
    if k < shaped.territories.len() {
        if shaped.territories[k..].iter().any(|t| t.locked) {
            return Err(OptimizeError::Invalid("a locked territory would be dropped: unlock it or ask for more territories".into()));
        }
        let dropped: Vec<TerritoryId> = shaped.territories[k..].iter().map(|t| t.id).collect();
        shaped.territories.truncate(k);
        for t in shaped.unit_territory.iter_mut() {
            if t.is_some_and(|x| dropped.contains(&x)) {
                *t = None;
            }
        }
        shaped.account_overrides.retain(|_, t| !dropped.contains(t));
    }
    let palette = crate::model::palette::territory_palette(k);
    while shaped.territories.len() < k {
        let n = shaped.territories.len();
        shaped.push_territory(format!("Territory {}", n + 1), palette[n], None);
    }
    let open: Vec<TerritoryId> = shaped.territories.iter().filter(|t| !t.locked).map(|t| t.id).collect();
    if open.is_empty() {
        return Err(OptimizeError::Invalid("every territory is locked: unlock the ones the optimizer may change".into()));
    }
    let units: Vec<usize> = (0..project.units.len()).filter(|u| shaped.unit_territory[*u].is_none_or(|t| open.contains(&t))).collect();
    solve_scope(project, from, &shaped, &open, &units, options, progress, started)
}

/// Local rebalance: only the territories in `only` change, among themselves; every other
/// territory keeps its ZIPs exactly.
pub fn propose_local(project: &Project, from: &Scenario, only: &[TerritoryId], options: &Options, progress: Progress) -> Result<Proposal, OptimizeError> {
    let started = std::time::Instant::now();
    if only.len() < 2 {
        return Err(OptimizeError::Invalid("pick at least two territories to rebalance between".into()));
    }
    if let Some(t) = only.iter().find(|t| from.territory(**t).is_none()) {
        return Err(OptimizeError::Invalid(format!("there is no territory {}", t.0)));
    }
    if let Some(t) = only.iter().filter_map(|t| from.territory(*t)).find(|t| t.locked) {
        return Err(OptimizeError::Invalid(format!("{} is locked", t.name)));
    }
    let units: Vec<usize> = (0..project.units.len()).filter(|u| from.unit_territory[*u].is_some_and(|t| only.contains(&t))).collect();
    solve_scope(project, from, from, only, &units, options, progress, started)
}

/// Partitions `units` among `territories` of `shaped` (the start scenario, reshaped to
/// the territory count asked for); everything else stays as it is. `original` is the
/// scenario the planner started from, for the ZIPs-moved figure.
#[allow(clippy::too_many_arguments)]
fn solve_scope(project: &Project, original: &Scenario, shaped: &Scenario, territories: &[TerritoryId], units: &[usize], options: &Options, progress: Progress, started: std::time::Instant) -> Result<Proposal, OptimizeError> {
    if units.len() < territories.len() {
        return Err(OptimizeError::Invalid(format!("{} ZIPs cannot make {} territories", units.len(), territories.len())));
    }
    let plane = Plane::of(project);
    let all_xy = plane.units(project);
    let mut local = vec![u32::MAX; project.units.len()];
    for (i, u) in units.iter().enumerate() {
        local[*u] = i as u32;
    }
    let full = crate::spatial::rook_neighbours(&project.units);
    let xy: Vec<[f64; 2]> = units.iter().map(|u| all_xy[*u]).collect();
    let adjacency = join_islands(units.iter().map(|u| full[*u].iter().map(|v| local[*v as usize]).filter(|l| *l != u32::MAX).collect()).collect(), &xy);
    let position = |t: TerritoryId| territories.iter().position(|o| *o == t).map(|p| p as u32);
    let k = territories.len();
    let start: Vec<u32> = units.iter().map(|u| shaped.unit_territory[*u].and_then(position).unwrap_or((*u % k) as u32)).collect();
    let centres = plane.rep_centres(project, shaped, territories.iter().copied());
    // Drive time is measured from the rep who serves an account. Not known before the
    // plan is: the first pass measures from the nearest home base, a second one from
    // the rep the first pass gave each ZIP.
    let home_of = |t: TerritoryId| shaped.territory(t)?.rep.and_then(|r| project.reps.get(r.index())).map(|r| r.home);
    let homes: Vec<LonLat> = territories.iter().filter_map(|t| home_of(*t)).collect();
    let nearest = |a: &Account| homes.iter().copied().min_by(|x, y| great_circle_km(*x, a.location).total_cmp(&great_circle_km(*y, a.location)));
    let passes = if options.measure.uses_drive() && !homes.is_empty() { 2 } else { 1 };
    let mut served_from: Vec<Option<LonLat>> = vec![None; project.units.len()];
    let mut solution = None;
    for pass in 0..passes {
        let drive_from = |a: &Account| a.unit.and_then(|u| served_from[u.index()]).or_else(|| nearest(a));
        let weighed = weights(project, &options.measure, &drive_from, &|a| pinned_territory(shaped, a).is_some())?;
        let weights: Vec<f64> = units.iter().map(|u| weighed.units[*u]).collect();
        let problem = Problem {
            weights: &weights,
            xy_km: &xy,
            adjacency: &adjacency,
            k,
            tolerance: options.tolerance,
            centres: centres.clone(),
            fixed: vec![None; units.len()],
            start: Some(start.clone()),
            disruption: options.disruption,
            seed: options.seed,
            contiguous: options.contiguous,
            base_loads: base_loads(project, shaped, &weighed.pinned, territories),
        };
        let mut scaled = |f: f32| progress((pass as f32 + f) / passes as f32);
        let solved = solve(&problem, &mut scaled)?;
        for (i, &t) in solved.assignment.iter().enumerate() {
            served_from[units[i]] = home_of(territories[t as usize]);
        }
        solution = Some(solved);
    }
    let solution = solution.ok_or_else(|| OptimizeError::Invalid("no pass ran".into()))?;
    let mut scenario = shaped.clone();
    for (i, &t) in solution.assignment.iter().enumerate() {
        scenario.unit_territory[units[i]] = Some(territories[t as usize]);
    }
    keep_named_accounts(project, shaped, &mut scenario);
    // Territories that now share a border must not share a colour.
    for (id, colour) in crate::model::palette::distinct_colours(&scenario, &full) {
        if let Some(t) = scenario.territory_mut(id) {
            t.color = colour;
        }
    }
    let moved_units = (0..project.units.len()).filter(|u| original.unit_territory[*u] != scenario.unit_territory[*u]).count();
    let kept = scenario.territories.len() - k;
    Ok(Proposal { scenario, solution, moved_units, solve_secs: started.elapsed().as_secs_f64(), tolerance: options.tolerance, kept_territories: kept })
}

/// The proposal as a scenario of `project` named `name`, under the next free id (add it
/// with `Command::add_scenario`, or `Project::insert_scenario` when building).
pub fn proposal_scenario(project: &Project, proposal: &Proposal, name: &str) -> Scenario {
    let mut scenario = proposal.scenario.clone();
    let fresh = project.next_scenario(name);
    scenario.id = fresh.id;
    scenario.name = fresh.name;
    scenario.description = "Proposed by the optimizer: balanced, contiguous; edit it, then compare.".into();
    scenario
}

/// Max deviation of potential (the planner's balance figure) of a scenario, percent.
pub fn potential_deviation_pct(project: &Project, scenario: &Scenario) -> f64 {
    ScenarioMetrics::compute(project, scenario).balance.max_deviation_pct
}


#[cfg(test)]
mod tests {
    use super::*;

    fn options(tolerance: f64) -> Options {
        Options { measure: Measure::Potential, tolerance, disruption: 0.0, seed: 1, contiguous: true }
    }

    /// A locked territory neither gives nor takes a ZIP, even when the others are far
    /// out of balance and it borders them all.
    #[test]
    fn a_locked_territory_is_kept_exactly() {
        // 12 x 6 cells in 4 stripes of 3 columns; the second stripe is locked.
        let mut project = crate::fixtures::grid_project(12, 6, 0.1, 600, 4, 3);
        let mut start = project.scenarios[0].clone();
        let locked = start.territories[1].id;
        start.territories[1].locked = true;
        // Unbalance the rest: the third stripe takes most of the fourth.
        let third = start.territories[2].id;
        for r in 0..6 {
            for c in 9..11 {
                start.unit_territory[r * 12 + c] = Some(third);
            }
        }
        project.scenarios[0] = start.clone();
        let proposal = propose(&project, &start, 4, &options(0.05), &mut |_| true).unwrap();
        for u in 0..project.units.len() {
            let (before, after) = (start.unit_territory[u], proposal.scenario.unit_territory[u]);
            assert_eq!(before == Some(locked), after == Some(locked), "unit {u}: {before:?} -> {after:?}");
        }
        assert_eq!(proposal.kept_territories, 1);
        assert!(proposal.summary().contains("1 territories kept as they were"), "{}", proposal.summary());
        assert_eq!(proposal.solution.loads.len(), 3, "the three open territories are balanced");
        assert!(proposal.solution.max_deviation <= 0.05, "{}", proposal.summary());

        // Everything locked: nothing to do, said plainly.
        for t in start.territories.iter_mut() {
            t.locked = true;
        }
        let error = propose(&project, &start, 4, &options(0.05), &mut |_| true).err().unwrap();
        assert!(error.to_string().contains("every territory is locked"), "{error}");
    }

    #[test]
    fn a_request_is_checked_before_it_runs() {
        let project = crate::fixtures::grid_project(6, 4, 0.1, 100, 3, 3);
        let start = project.scenarios[0].id;
        let request = |tolerance: f64, disruption: f64, territories: usize| Request {
            start,
            territories,
            only: None,
            options: Options { measure: Measure::Potential, tolerance, disruption, seed: 1, contiguous: true },
        };
        assert!(request(0.1, 0.0, 3).check(&project).is_ok());
        for (bad, why) in [(request(0.0, 0.0, 3), "tolerance"), (request(1.5, 0.0, 3), "tolerance"), (request(0.1, -1.0, 3), "keep changes small"), (request(0.1, 0.0, 0), "at least one"), (request(0.1, 0.0, 25), "cannot be made")] {
            let error = bad.run(&project, &mut |_| true).err().expect("refused");
            assert!(error.to_string().contains(why), "{error}");
        }
        let gone = Request { start: crate::model::ScenarioId(99), ..request(0.1, 0.0, 3) };
        assert!(gone.check(&project).unwrap_err().to_string().contains("no longer exists"));
        assert!(request(0.1, 0.0, 3).run(&project, &mut |_| true).is_ok());
    }

    #[test]
    fn the_local_scope_is_a_territory_and_its_unlocked_neighbours() {
        // Four vertical stripes: stripe 1 touches stripes 0 and 2, not 3.
        let mut project = crate::fixtures::grid_project(12, 6, 0.1, 100, 4, 3);
        let neighbours = crate::fixtures::grid_neighbours(12, 6);
        let ids: Vec<TerritoryId> = project.scenarios[0].territories.iter().map(|t| t.id).collect();
        let mut scope = local_scope(&project.scenarios[0], &neighbours, ids[1]);
        assert_eq!(scope[0], ids[1]);
        scope.sort();
        assert_eq!(scope, vec![ids[0], ids[1], ids[2]]);
        project.scenarios[0].territories[2].locked = true;
        assert_eq!(local_scope(&project.scenarios[0], &neighbours, ids[1]), vec![ids[1], ids[0]]);
    }
}
