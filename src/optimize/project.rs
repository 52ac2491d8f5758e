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
use super::roads::RoadKm;
use crate::drivetime::great_circle_km;
use crate::drivetime::roads::cache::RoadTimes;
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
    /// Balance each sales region among its own territories: no ZIP changes region
    /// (the territory count stays that of the start scenario).
    pub within_regions: bool,
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
    /// With fewer territories than the start scenario has: the ones (and so the reps)
    /// the planner chose to leave out; the rest of those to drop are chosen as
    /// [`left_out`] says.
    pub without: Vec<TerritoryId>,
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
        if o.within_regions {
            if start.regions().is_empty() {
                return invalid("the scenario has no regions: put its territories in regions first (or balance without regions)");
            }
            if self.only.is_some() || !self.without.is_empty() || self.territories != start.territories.len() {
                return invalid("balancing within regions keeps every territory: it cannot change the territory count or rebalance only some");
            }
        }
        if self.only.is_none() {
            if self.territories == 0 {
                return invalid("ask for at least one territory");
            }
            if self.territories > project.units.len() {
                return Err(OptimizeError::Invalid(format!("{} territories cannot be made from {} ZIPs", self.territories, project.units.len())));
            }
            let surplus = start.territories.len().saturating_sub(self.territories);
            if self.without.len() > surplus {
                return Err(OptimizeError::Invalid(format!(
                    "{} territories chosen to leave out, but asking for {} of {} leaves out {surplus}",
                    self.without.len(),
                    self.territories,
                    start.territories.len()
                )));
            }
            for id in &self.without {
                match start.territory(*id) {
                    None => return Err(OptimizeError::Invalid(format!("there is no territory {} to leave out", id.0))),
                    Some(t) if t.locked => return Err(OptimizeError::Invalid(format!("{} is locked: unlock it to leave it out", t.name))),
                    Some(_) => {}
                }
            }
        }
        Ok(start)
    }

    /// Checks the request and runs the optimizer; with `roads`, distances from rep home
    /// bases (and drive time in the measure) are by road.
    pub fn run(&self, project: &Project, roads: Option<&RoadTimes>, progress: Progress) -> Result<Proposal, OptimizeError> {
        let start = self.check(project)?;
        match &self.only {
            Some(ids) => propose_local(project, start, ids, &self.options, roads, progress),
            None => propose(project, start, self.territories, &self.without, &self.options, roads, progress),
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
    /// Why the tolerance was not met, and what would help (plain sentences).
    pub explanation: Vec<String>,
    /// What forces the lower bound on the deviation, when something does.
    pub bound_reason: Option<String>,
    /// Reps whose territory was dropped (fewer territories asked for than reps).
    pub reps_without_territory: Vec<String>,
    /// Distances from home bases were by road (the project's road network) where it
    /// reached, rather than straight lines.
    pub by_road: bool,
}

impl Proposal {
    /// Territories within the tolerance of their share (the mean, or what is left of it
    /// beside ZIPs that alone outweigh it).
    pub fn within_tolerance(&self) -> usize {
        self.solution.deviations.iter().filter(|d| d.abs() <= self.tolerance + 1e-12).count()
    }

    /// One line for the planner: balance, pieces, distance, ZIPs moved, time; and when
    /// something forces a deviation beyond the tolerance, that bound and why.
    pub fn summary(&self) -> String {
        let s = &self.solution;
        let k = s.loads.len();
        let mut line = format!(
            "max deviation {:.1}% (tolerance {:.0}%), {} of {k} territories within the tolerance, {} in pieces, mean weighted distance {:.1} km{}, {} ZIPs moved, {:.2} s",
            s.max_deviation * 100.0,
            self.tolerance * 100.0,
            self.within_tolerance(),
            s.noncontiguous,
            s.mean_weighted_distance_km,
            if self.by_road { " by road" } else { "" },
            self.moved_units,
            self.solve_secs
        );
        if self.kept_territories > 0 {
            line.push_str(&format!("; {} territories kept as they were", self.kept_territories));
        }
        if s.lower_bound > self.tolerance {
            let why = self.bound_reason.as_deref().unwrap_or("what the data forces");
            line.push_str(&format!("; no plan can be within {:.1}% of the mean: {why}", s.lower_bound * 100.0));
            if s.unforced_deviation <= self.tolerance {
                line.push_str(", but every territory is within the tolerance of the share it can have");
            }
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
}

/// The territories to leave out when `k` are asked of a scenario that has more:
/// `chosen` first, then territories without a rep (the last first), then, one at a
/// time, the rep whose home base is nearest another remaining rep's (two reps in one
/// city cover the same ground; the later one in the list goes). Locked territories are
/// never left out.
pub fn left_out(project: &Project, scenario: &Scenario, k: usize, chosen: &[TerritoryId]) -> Vec<TerritoryId> {
    let surplus = scenario.territories.len().saturating_sub(k);
    let mut out: Vec<TerritoryId> = chosen.iter().copied().filter(|id| scenario.territory(*id).is_some_and(|t| !t.locked)).take(surplus).collect();
    let home = |id: TerritoryId| scenario.territory(id).and_then(|t| t.rep).and_then(|r| project.reps.get(r.index())).map(|r| r.home);
    let open = |out: &[TerritoryId]| scenario.territories.iter().filter(|t| !t.locked && !out.contains(&t.id)).map(|t| t.id).collect::<Vec<_>>();
    for id in open(&out).into_iter().rev().filter(|id| home(*id).is_none()) {
        if out.len() >= surplus {
            break;
        }
        out.push(id);
    }
    while out.len() < surplus {
        let staying: Vec<(TerritoryId, LonLat)> = scenario.territories.iter().filter(|t| !out.contains(&t.id)).filter_map(|t| Some((t.id, home(t.id)?))).collect();
        let crowded = open(&out)
            .into_iter()
            .filter_map(|id| {
                let at = home(id)?;
                let nearest = staying.iter().filter(|(other, _)| *other != id).map(|(_, h)| great_circle_km(at, *h)).fold(f64::INFINITY, f64::min);
                Some((id, nearest))
            })
            .enumerate()
            .min_by(|(i, a), (j, b)| a.1.total_cmp(&b.1).then(j.cmp(i)))
            .map(|(_, (id, _))| id);
        match crowded {
            Some(id) => out.push(id),
            None => break,
        }
    }
    out
}

/// Rebalances into `k` territories starting from `from`: its territories (and reps) are
/// kept, extra ones are added without a rep, surplus ones left out (`without` first,
/// see [`left_out`]). Locked territories are kept exactly: they neither give nor take a
/// ZIP; the others share the rest, unassigned ZIPs included.
#[allow(clippy::too_many_arguments)]
pub fn propose(project: &Project, from: &Scenario, k: usize, without: &[TerritoryId], options: &Options, roads: Option<&RoadTimes>, progress: Progress) -> Result<Proposal, OptimizeError> {
    let started = std::time::Instant::now();
    if k == 0 {
        return Err(OptimizeError::Invalid("ask for at least one territory".into()));
    }
    let mut shaped = from.clone();
    let mut reps_without_territory = Vec::new();
    if k < shaped.territories.len() {
        let dropped = left_out(project, &shaped, k, without);
        if shaped.territories.len() - dropped.len() > k {
            return Err(OptimizeError::Invalid("too many territories are locked to make that few: unlock some or ask for more territories".into()));
        }
        for id in &dropped {
            if let Some(rep) = shaped.territory(*id).and_then(|t| t.rep).and_then(|r| project.reps.get(r.index())) {
                reps_without_territory.push(rep.name.clone());
            }
        }
        shaped.territories.retain(|t| !dropped.contains(&t.id));
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
    let mut proposal = solve_scope(project, from, &shaped, &open, &units, options, roads, progress, started)?;
    proposal.reps_without_territory = reps_without_territory;
    Ok(proposal)
}

/// Local rebalance: only the territories in `only` change, among themselves; every other
/// territory keeps its ZIPs exactly.
pub fn propose_local(project: &Project, from: &Scenario, only: &[TerritoryId], options: &Options, roads: Option<&RoadTimes>, progress: Progress) -> Result<Proposal, OptimizeError> {
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
    solve_scope(project, from, from, only, &units, options, roads, progress, started)
}

/// Partitions `units` among `territories` of `shaped` (the start scenario, reshaped to
/// the territory count asked for); everything else stays as it is. `original` is the
/// scenario the planner started from, for the ZIPs-moved figure.
///
/// Each rep's territory keeps the rep's home ZIP; the units split into regions that do
/// not touch (see plan), each planned on its own with the reps whose homes lie in it.
#[allow(clippy::too_many_arguments)]
fn solve_scope(
    project: &Project,
    original: &Scenario,
    shaped: &Scenario,
    territories: &[TerritoryId],
    units: &[usize],
    options: &Options,
    roads: Option<&RoadTimes>,
    progress: Progress,
    started: std::time::Instant,
) -> Result<Proposal, OptimizeError> {
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
    let real: Vec<Vec<u32>> = units.iter().map(|u| full[*u].iter().map(|v| local[*v as usize]).filter(|l| *l != u32::MAX).collect()).collect();
    let unit_refs: Vec<&crate::model::entities::Unit> = units.iter().map(|u| &project.units[*u]).collect();
    let gaps = super::links::gap_links(&unit_refs, &real);
    let mut linked = real.clone();
    for g in &gaps {
        linked[g.a as usize].push(g.b);
        linked[g.b as usize].push(g.a);
    }
    let position = |t: TerritoryId| territories.iter().position(|o| *o == t).map(|p| p as u32);
    let k = territories.len();
    let start: Vec<u32> = units.iter().map(|u| shaped.unit_territory[*u].and_then(position).unwrap_or(k as u32)).collect();
    let rep_of = |t: TerritoryId| shaped.territory(t).and_then(|t| t.rep).and_then(|r| project.reps.get(r.index()));
    let mut homes = home_units(project, territories.iter().map(|t| rep_of(*t).map(|r| r.home)), &local, &xy, &plane);
    let groups = match options.within_regions {
        true => Some(RegionGroups::of(shaped, territories, &start, &homes, &linked, &xy).ok_or_else(|| {
            OptimizeError::Invalid("no ZIP is in a region yet: assign ZIPs to the regions' territories, or give their reps home bases, then balance within regions".into())
        })?),
        false => None,
    };
    // Within regions, a rep whose home lies in another region's ZIPs anchors nothing.
    let mut home_elsewhere = Vec::new();
    if let Some(g) = &groups {
        for (t, h) in homes.iter_mut().enumerate() {
            if h.is_some_and(|u| g.unit[u as usize] != g.territory[t]) {
                *h = None;
                home_elsewhere.extend(rep_of(territories[t]).map(|r| r.name.clone()));
            }
        }
    }
    // Distances from a rep's home are by road where the roads reach (from the rep's
    // home itself, which may lie off the home ZIP's centre).
    let road_km = roads.map(|r| {
        let anchored_homes: Vec<Option<LonLat>> = homes.iter().enumerate().map(|(t, h)| h.and(rep_of(territories[t]).map(|r| r.home))).collect();
        RoadKm::from_times(r, &anchored_homes, units, project.settings.drive.circuity)
    });
    // Drive time is measured from the rep who serves an account. Not known before the
    // plan is: the first pass measures from the nearest home base, a second one from
    // the rep the first pass gave each ZIP.
    let home_of = |t: TerritoryId| rep_of(t).map(|r| r.home);
    let rep_homes: Vec<LonLat> = territories.iter().filter_map(|t| home_of(*t)).collect();
    let nearest = |a: &Account| rep_homes.iter().copied().min_by(|x, y| great_circle_km(*x, a.location).total_cmp(&great_circle_km(*y, a.location)));
    let passes = if options.measure.uses_drive() && !rep_homes.is_empty() { 2 } else { 1 };
    let mut served_from: Vec<Option<LonLat>> = vec![None; project.units.len()];
    let mut result = None;
    for pass in 0..passes {
        let drive_from = |a: &Account| a.unit.and_then(|u| served_from[u.index()]).or_else(|| nearest(a));
        let weighed = weights(project, &options.measure, &drive_from, roads, &|a| pinned_territory(shaped, a).is_some())?;
        let weights: Vec<f64> = units.iter().map(|u| weighed.units[*u]).collect();
        let base = base_loads(project, shaped, &weighed.pinned, territories);
        let plan = match &groups {
            Some(g) => g.plan(&linked, &xy, &weights, &homes, options.contiguous),
            None if options.contiguous => super::plan::plan(&linked, &xy, &weights, &homes),
            None => super::plan::Plan::single(units.len(), k),
        };
        let scope = Scope { xy: &xy, weights: &weights, adjacency: &plan.solving_adjacency(&linked), linked: &linked, borders: &real, homes: &homes, start: &start, base_loads: &base, road_km: road_km.as_ref() };
        let mut scaled = |f: f32| progress((pass as f32 + f) / passes as f32);
        let (assignment, centres) = solve_regions(&scope, &plan, options, &mut scaled)?;
        for (i, &t) in assignment.iter().enumerate() {
            served_from[units[i]] = home_of(territories[t as usize]);
        }
        let mut fixed = vec![None; units.len()];
        for (t, h) in homes.iter().enumerate() {
            if let Some(h) = h {
                fixed[*h as usize] = Some(t as u32);
            }
        }
        // Judged on the real borders and the short gaps: the orphans' long links are
        // not borders (their pieces are admitted in the explanation).
        let global = Problem {
            weights: &weights,
            xy_km: &xy,
            adjacency: &linked,
            k,
            tolerance: options.tolerance,
            centres: Some(centres.clone()),
            fixed,
            start: Some(start.clone()),
            disruption: options.disruption,
            seed: options.seed,
            contiguous: options.contiguous,
            base_loads: base.clone(),
            road_km: road_km.as_ref(),
        };
        let names: Vec<String> = territories.iter().map(|t| shaped.territory(*t).map(|x| x.name.clone()).unwrap_or_default()).collect();
        let codes: Vec<String> = units.iter().map(|u| project.units[*u].code.clone()).collect();
        let (bound, why) = super::explain::lower_bound(&global, &plan, &names, &codes);
        let mut solution = super::evaluate(&global, assignment, centres, bound);
        // Judged against what each territory's region can give it.
        solution.deviations = super::explain::regional_deviations(&global, &plan, &solution.assignment);
        solution.unforced_deviation = solution.deviations.iter().map(|d| d.abs()).fold(0.0, f64::max);
        let mut explanation = super::explain::explain(&global, &plan, &solution, &homes, &names, &codes);
        let far: Vec<String> = homes
            .iter()
            .enumerate()
            .filter(|(t, h)| h.is_none() && rep_of(territories[*t]).is_some())
            .filter_map(|(t, _)| rep_of(territories[t]).map(|r| r.name.clone()))
            .filter(|name| !home_elsewhere.contains(name))
            .collect();
        if !home_elsewhere.is_empty() {
            explanation.insert(0, format!("The home bases of {} lie in another region's ZIPs: their territories were placed in their own region where the weight is.", home_elsewhere.join(", ")));
        }
        if !far.is_empty() {
            explanation.insert(0, format!("The home bases of {} lie more than {HOME_REACH_KM:.0} km from every ZIP of the plan: their territories were placed where the weight is, like ones without a rep.", far.join(", ")));
        }
        result = Some((solution, explanation, why));
    }
    let (solution, explanation, bound_reason) = result.ok_or_else(|| OptimizeError::Invalid("no pass ran".into()))?;
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
    // Quotas follow the new territories: the same total and method, split again.
    if let Some(old) = scenario.quotas.clone() {
        let metrics = ScenarioMetrics::compute(project, &scenario);
        scenario.quotas = crate::metrics::quota::replan(project, &scenario, &metrics, &old).ok();
    }
    let moved_units = (0..project.units.len()).filter(|u| original.unit_territory[*u] != scenario.unit_territory[*u]).count();
    let kept = scenario.territories.len() - k;
    let by_road = road_km.as_ref().is_some_and(|r| r.territories_with_roads() > 0);
    Ok(Proposal { scenario, solution, moved_units, solve_secs: started.elapsed().as_secs_f64(), tolerance: options.tolerance, kept_territories: kept, explanation, bound_reason, reps_without_territory: Vec::new(), by_road })
}

/// Sales regions as groups of the scope: each territory's region, and each unit's (that
/// of its territory in the start plan; an unassigned unit takes the region of the
/// nearest unit that has one, through borders first, a rep's home ZIP counting as its
/// territory's).
struct RegionGroups {
    /// Group of each scope unit.
    unit: Vec<u32>,
    /// Group of each territory position.
    territory: Vec<u32>,
    count: usize,
}

impl RegionGroups {
    fn of(shaped: &Scenario, territories: &[TerritoryId], start: &[u32], homes: &[Option<u32>], adjacency: &[Vec<u32>], xy: &[[f64; 2]]) -> Option<Self> {
        let mut names: Vec<Option<String>> = Vec::new();
        let territory: Vec<u32> = territories
            .iter()
            .map(|t| {
                let region = shaped.territory(*t).and_then(|t| t.region.clone());
                let found = names.iter().position(|n| *n == region);
                found.unwrap_or_else(|| {
                    names.push(region);
                    names.len() - 1
                }) as u32
            })
            .collect();
        let unknown = u32::MAX;
        let mut unit: Vec<u32> = start.iter().map(|t| territory.get(*t as usize).copied().unwrap_or(unknown)).collect();
        for (t, h) in homes.iter().enumerate() {
            if let Some(h) = h.filter(|h| unit[*h as usize] == unknown) {
                unit[h as usize] = territory[t];
            }
        }
        if !unit.is_empty() && unit.iter().all(|g| *g == unknown) {
            return None;
        }
        // Through borders: breadth first from every unit with a region.
        let mut queue: std::collections::VecDeque<usize> = (0..unit.len()).filter(|u| unit[*u] != unknown).collect();
        while let Some(u) = queue.pop_front() {
            for &v in &adjacency[u] {
                if unit[v as usize] == unknown {
                    unit[v as usize] = unit[u];
                    queue.push_back(v as usize);
                }
            }
        }
        // Islands no border reaches: the nearest unit with a region.
        let placed: Vec<rstar::primitives::GeomWithData<[f64; 2], u32>> =
            (0..unit.len()).filter(|u| unit[*u] != unknown).map(|u| rstar::primitives::GeomWithData::new(xy[u], unit[u])).collect();
        let tree = rstar::RTree::bulk_load(placed);
        for u in 0..unit.len() {
            if unit[u] == unknown {
                unit[u] = tree.nearest_neighbor(&xy[u]).map_or(0, |n| n.data);
            }
        }
        Some(Self { unit, territory, count: names.len() })
    }

    /// The plan of each region on its own, as one plan of the scope: no region of the
    /// plan spans two sales regions. A sales region without ZIPs leaves its territories
    /// empty.
    fn plan(&self, adjacency: &[Vec<u32>], xy: &[[f64; 2]], weights: &[f64], homes: &[Option<u32>], contiguous: bool) -> super::plan::Plan {
        let mut out = super::plan::Plan { regions: Vec::new(), orphans: Vec::new() };
        for g in 0..self.count as u32 {
            let units: Vec<u32> = (0..self.unit.len() as u32).filter(|u| self.unit[*u as usize] == g).collect();
            let members: Vec<u32> = (0..self.territory.len() as u32).filter(|t| self.territory[*t as usize] == g).collect();
            if units.is_empty() || members.is_empty() {
                continue;
            }
            let mut local = vec![u32::MAX; self.unit.len()];
            for (i, u) in units.iter().enumerate() {
                local[*u as usize] = i as u32;
            }
            let sub_adjacency: Vec<Vec<u32>> = units.iter().map(|u| adjacency[*u as usize].iter().map(|v| local[*v as usize]).filter(|l| *l != u32::MAX).collect()).collect();
            let sub_xy: Vec<[f64; 2]> = units.iter().map(|u| xy[*u as usize]).collect();
            let sub_weights: Vec<f64> = units.iter().map(|u| weights[*u as usize]).collect();
            let sub_homes: Vec<Option<u32>> = members.iter().map(|t| homes[*t as usize].map(|h| local[h as usize]).filter(|l| *l != u32::MAX)).collect();
            let sub = if contiguous { super::plan::plan(&sub_adjacency, &sub_xy, &sub_weights, &sub_homes) } else { super::plan::Plan::single(units.len(), members.len()) };
            let offset = out.regions.len();
            for r in sub.regions {
                out.regions.push(super::plan::Region {
                    units: r.units.iter().map(|u| units[*u as usize]).collect(),
                    territories: r.territories.iter().map(|t| members[*t as usize]).collect(),
                });
            }
            for o in sub.orphans {
                let link = super::links::Link { a: units[o.link.a as usize], b: units[o.link.b as usize], km: o.link.km };
                out.orphans.push(super::plan::Orphan { units: o.units.iter().map(|u| units[*u as usize]).collect(), link, region: o.region + offset });
            }
        }
        out
    }
}

/// What every region's problem is cut from (scope-local unit ids, territory positions).
struct Scope<'a> {
    xy: &'a [[f64; 2]],
    weights: &'a [f64],
    adjacency: &'a [Vec<u32>],
    /// Real borders and short gaps, without the long links that join orphan parts.
    linked: &'a [Vec<u32>],
    /// Real borders only.
    borders: &'a [Vec<u32>],
    homes: &'a [Option<u32>],
    start: &'a [u32],
    base_loads: &'a [f64],
    road_km: Option<&'a RoadKm>,
}

/// How far outside the ZIPs of a plan a rep's home base may lie and still anchor a
/// territory (a rep living across a state line); farther, the rep's territory is
/// planned like one without a rep (and the explanation says so).
const HOME_REACH_KM: f64 = 60.0;

/// The home ZIP of each territory's rep (`None`: vacant, or the home is too far), as a
/// scope unit: the ZIP the home base lies in, else the nearest one within
/// `HOME_REACH_KM`. Two reps at home in one ZIP: the second takes the nearest ZIP no
/// rep is at home in.
fn home_units(project: &Project, homes: impl Iterator<Item = Option<LonLat>>, local: &[u32], xy: &[[f64; 2]], plane: &Plane) -> Vec<Option<u32>> {
    let index = crate::spatial::UnitIndex::new(&project.units);
    let mut taken = vec![false; xy.len()];
    let mut out = Vec::new();
    for home in homes {
        let Some(home) = home else {
            out.push(None);
            continue;
        };
        let inside = index.locate(&project.units, home).map(|u| local[u.index()]).filter(|l| *l != u32::MAX && !taken[*l as usize]);
        let at = plane.km(home);
        let nearest = (0..xy.len() as u32).filter(|u| !taken[*u as usize]).min_by(|a, b| super::dist(xy[*a as usize], at).total_cmp(&super::dist(xy[*b as usize], at)));
        let unit = inside.or_else(|| nearest.filter(|u| super::dist(xy[*u as usize], at) <= HOME_REACH_KM));
        if let Some(u) = unit {
            taken[u as usize] = true;
        }
        out.push(unit);
    }
    out
}

/// Solves each region of the plan on its own; returns each unit's territory position
/// and each territory's centre.
fn solve_regions(scope: &Scope, plan: &super::plan::Plan, options: &Options, progress: Progress) -> Result<(Vec<u32>, Vec<[f64; 2]>), OptimizeError> {
    let n = scope.xy.len();
    let k = scope.homes.len();
    let mut assignment = vec![0u32; n];
    let mut centres = vec![[0.0, 0.0]; k];
    let total_units: usize = plan.regions.iter().map(|r| r.units.len()).sum::<usize>().max(1);
    let mut done_units = 0usize;
    for (r, region) in plan.regions.iter().enumerate() {
        let mut local = vec![u32::MAX; n];
        for (i, u) in region.units.iter().enumerate() {
            local[*u as usize] = i as u32;
        }
        let kr = region.territories.len();
        let position = |t: u32| region.territories.iter().position(|x| *x == t).map(|p| p as u32);
        if kr == 1 {
            for u in &region.units {
                assignment[*u as usize] = region.territories[0];
            }
            let home = scope.homes[region.territories[0] as usize].map(|h| scope.xy[h as usize]);
            centres[region.territories[0] as usize] = home.unwrap_or_else(|| region.units.first().map_or([0.0, 0.0], |u| scope.xy[*u as usize]));
            continue;
        }
        let weights: Vec<f64> = region.units.iter().map(|u| scope.weights[*u as usize]).collect();
        let xy: Vec<[f64; 2]> = region.units.iter().map(|u| scope.xy[*u as usize]).collect();
        // A graph of the scope as one of the region's units.
        let in_region = |graph: &[Vec<u32>]| -> Vec<Vec<u32>> { region.units.iter().map(|u| graph[*u as usize].iter().map(|v| local[*v as usize]).filter(|l| *l != u32::MAX).collect()).collect() };
        let adjacency = in_region(scope.adjacency);
        let mut fixed = vec![None; region.units.len()];
        for (i, t) in region.territories.iter().enumerate() {
            if let Some(h) = scope.homes[*t as usize] {
                fixed[local[h as usize] as usize] = Some(i as u32);
            }
        }
        let start: Vec<u32> = region.units.iter().map(|u| position(scope.start[*u as usize]).unwrap_or(kr as u32)).collect();
        let base_loads: Vec<f64> = region.territories.iter().map(|t| scope.base_loads.get(*t as usize).copied().unwrap_or(0.0)).collect();
        let region_units: Vec<usize> = region.units.iter().map(|u| *u as usize).collect();
        let road_km = scope.road_km.map(|r| r.subset(&region_units, &region.territories));
        // Reps' homes are their territories' centres; a territory without a rep (with
        // reps around) starts where the weight is farthest from every home.
        let any_home = region.territories.iter().any(|t| scope.homes[*t as usize].is_some());
        let region_centres = any_home.then(|| {
            let mut c: Vec<Option<[f64; 2]>> = region.territories.iter().map(|t| scope.homes[*t as usize].map(|h| scope.xy[h as usize])).collect();
            for i in 0..kr {
                if c[i].is_none() {
                    let placed: Vec<[f64; 2]> = c.iter().flatten().copied().collect();
                    let far = (0..xy.len()).max_by(|a, b| {
                        let score = |u: usize| weights[u].max(1e-9).sqrt() * placed.iter().map(|p| super::dist(xy[u], *p)).fold(f64::INFINITY, f64::min);
                        score(*a).total_cmp(&score(*b)).then(b.cmp(a))
                    });
                    c[i] = Some(far.map_or([0.0, 0.0], |u| xy[u]));
                }
            }
            c.into_iter().map(|p| p.unwrap_or([0.0, 0.0])).collect::<Vec<_>>()
        });
        let problem = Problem {
            weights: &weights,
            xy_km: &xy,
            adjacency: &adjacency,
            k: kr,
            tolerance: options.tolerance,
            centres: region_centres,
            fixed,
            start: Some(start),
            disruption: options.disruption,
            seed: options.seed.wrapping_add(r as u64),
            contiguous: options.contiguous,
            base_loads,
            road_km: road_km.as_ref(),
        };
        let (from, span) = (done_units as f32 / total_units as f32, region.units.len() as f32 / total_units as f32);
        let mut scaled = |f: f32| progress(from + span * f);
        let mut solved = solve(&problem, &mut scaled)?;
        // Empty ZIPs to the nearest territory: across real borders, and judged whole
        // without the orphans' long links (a move across one would leave a piece).
        let (linked, borders) = (in_region(scope.linked), in_region(scope.borders));
        super::tidy::weightless_to_nearest(&Problem { adjacency: &linked, ..problem.clone() }, &borders, &mut solved.assignment, &solved.centres);
        for (i, &t) in solved.assignment.iter().enumerate() {
            assignment[region.units[i] as usize] = region.territories[t as usize];
        }
        for (i, t) in region.territories.iter().enumerate() {
            centres[*t as usize] = solved.centres[i];
        }
        done_units += region.units.len();
    }
    Ok((assignment, centres))
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
        Options { measure: Measure::Potential, tolerance, disruption: 0.0, seed: 1, contiguous: true, within_regions: false }
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
        let proposal = propose(&project, &start, 4, &[], &options(0.05), None, &mut |_| true).unwrap();
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
        let error = propose(&project, &start, 4, &[], &options(0.05), None, &mut |_| true).err().unwrap();
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
            without: Vec::new(),
            options: Options { measure: Measure::Potential, tolerance, disruption, seed: 1, contiguous: true, within_regions: false },
        };
        assert!(request(0.1, 0.0, 3).check(&project).is_ok());
        for (bad, why) in [(request(0.0, 0.0, 3), "tolerance"), (request(1.5, 0.0, 3), "tolerance"), (request(0.1, -1.0, 3), "keep changes small"), (request(0.1, 0.0, 0), "at least one"), (request(0.1, 0.0, 25), "cannot be made")] {
            let error = bad.run(&project, None, &mut |_| true).err().expect("refused");
            assert!(error.to_string().contains(why), "{error}");
        }
        let gone = Request { start: crate::model::ScenarioId(99), ..request(0.1, 0.0, 3) };
        assert!(gone.check(&project).unwrap_err().to_string().contains("no longer exists"));
        assert!(request(0.1, 0.0, 3).run(&project, None, &mut |_| true).is_ok());
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
