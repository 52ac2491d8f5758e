//! Road networks from the OpenStreetMap extracts in ../shared/data/roads: the graph's
//! shortest paths agree with petgraph's Dijkstra on the same graph, one-way streets
//! are respected, a damaged extract is refused with the project untouched, and the
//! figures that calibrate the distance estimate (printed with --nocapture).

use petgraph::graph::{DiGraph, NodeIndex};
use std::path::{Path, PathBuf};
use territory_designer::drivetime::roads::search::{reach_from, Snap};
use territory_designer::drivetime::roads::{osm, RoadNetwork};

fn extracts() -> Vec<PathBuf> {
    let dir = Path::new("../shared/data/roads");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).map(|d| d.flatten().map(|e| e.path()).filter(|p| p.to_string_lossy().ends_with(".osm.pbf")).collect()).unwrap_or_default();
    files.sort();
    files
}

fn at_node(node: u32, network: &RoadNetwork) -> Snap {
    let b = network.edges(node).next().map(|e| e.0).unwrap_or(node);
    Snap { a: node, b, t: 0.0, off_km: 0.0 }
}

fn petgraph_of(network: &RoadNetwork) -> DiGraph<(), f64> {
    let mut g = DiGraph::with_capacity(network.node_count(), network.edge_count());
    for _ in 0..network.node_count() {
        g.add_node(());
    }
    for a in 0..network.node_count() as u32 {
        for (b, _, s) in network.edges(a) {
            g.add_edge(NodeIndex::new(a as usize), NodeIndex::new(b as usize), s as f64);
        }
    }
    g
}

#[test]
fn shortest_paths_agree_with_petgraph_on_every_extract() {
    let files = extracts();
    if files.is_empty() {
        eprintln!("skipped: ../shared/data/roads is absent");
        return;
    }
    for file in files {
        let network = osm::read_pbf(&file, &|_| true).unwrap();
        assert!(network.node_count() > 1000 && network.edge_count() > network.node_count(), "{}: {} nodes", file.display(), network.node_count());
        let main: Vec<u32> = (0..network.node_count() as u32).filter(|n| network.main[*n as usize]).collect();
        // Clipped extracts leave some roads cut off at their edge: most remain.
        assert!(main.len() * 10 >= network.node_count() * 7, "{}: the main part is most of the network", file.display());
        let graph = petgraph_of(&network);
        for source in [main[0], main[main.len() / 2], main[main.len() - 1]] {
            let ours = reach_from(&network, &at_node(source, &network), f64::INFINITY);
            let theirs = petgraph::algo::dijkstra(&graph, NodeIndex::new(source as usize), None, |e| *e.weight());
            for v in 0..network.node_count() {
                match theirs.get(&NodeIndex::new(v)) {
                    Some(s) => assert!((ours.seconds[v] as f64 - s).abs() <= 1e-3 * s.max(1.0), "{}: {source}->{v}: {} vs {s}", file.display(), ours.seconds[v]),
                    None => assert!(ours.seconds[v].is_infinite(), "{}: {v} reached by us only", file.display()),
                }
            }
            // Every node of the main part is reachable from every other.
            assert!(main.iter().all(|m| ours.seconds[*m as usize].is_finite()));
        }
    }
}

#[test]
fn one_way_streets_are_driven_one_way() {
    // 0 -> 1 only (a one-way street), 1 -> 2 -> 0 the long way back.
    let nodes = vec![[0.0, 0.0], [0.01, 0.0], [0.005, 0.01]];
    let network = RoadNetwork::from_edges(nodes, vec![(0, 1, 900.0, 60.0), (1, 2, 1200.0, 100.0), (2, 0, 1200.0, 100.0)]);
    let from_0 = reach_from(&network, &Snap { a: 0, b: 1, t: 0.0, off_km: 0.0 }, f64::INFINITY);
    assert_eq!(from_0.seconds[1], 60.0);
    let from_1 = reach_from(&network, &Snap { a: 1, b: 2, t: 0.0, off_km: 0.0 }, f64::INFINITY);
    assert_eq!(from_1.seconds[0], 200.0, "back by the other streets, not against the one-way");
    assert_eq!(from_1.metres[0], 2400.0);
    // On a real extract: some edge has no reverse, and the way back is not its length.
    let Some(file) = extracts().into_iter().next() else { return };
    let network = osm::read_pbf(&file, &|_| true).unwrap();
    let one_way = (0..network.node_count() as u32)
        .filter(|a| network.main[*a as usize])
        .flat_map(|a| network.edges(a).map(move |e| (a, e.0, e.2)))
        .find(|(a, b, _)| network.main[*b as usize] && network.edge_seconds(*b, *a).is_none())
        .expect("a one-way street");
    let (a, b, seconds) = one_way;
    let back = reach_from(&network, &at_node(b, &network), f64::INFINITY);
    let graph = petgraph_of(&network);
    let expected = petgraph::algo::dijkstra(&graph, NodeIndex::new(b as usize), Some(NodeIndex::new(a as usize)), |e| *e.weight())[&NodeIndex::new(a as usize)];
    assert!((back.seconds[a as usize] as f64 - expected).abs() < 1e-2, "{} vs {expected}", back.seconds[a as usize]);
    assert!(graph.find_edge(NodeIndex::new(b as usize), NodeIndex::new(a as usize)).is_none());
    assert!(seconds > 0.0);
}

#[test]
fn a_truncated_or_foreign_extract_is_refused_and_the_project_stays() {
    let Some(file) = extracts().into_iter().next() else { return };
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("plan.tdproj");
    std::fs::copy("sample_maps/mid_atlantic.tdproj", &project).unwrap();
    let before = std::fs::read(&project).unwrap();
    let bytes = std::fs::read(&file).unwrap();
    let truncated = dir.path().join("cut.osm.pbf");
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    let foreign = dir.path().join("notes.osm.pbf");
    std::fs::write(&foreign, b"this is not a pbf").unwrap();
    for bad in [&truncated, &foreign] {
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_territory-designer")).args(["roads", project.to_str().unwrap(), "--osm", bad.to_str().unwrap()]).output().unwrap();
        assert!(!run.status.success());
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(stderr.contains(&*bad.file_name().unwrap().to_string_lossy()), "{stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "one clear line: {stderr}");
        assert!(!stderr.contains("panicked"));
        assert_eq!(std::fs::read(&project).unwrap(), before, "the project is as it was");
        assert!(!RoadNetwork::path_beside(&project).exists());
    }
    // A good one is kept beside the project and recorded in it.
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_territory-designer")).args(["roads", project.to_str().unwrap(), "--osm", file.to_str().unwrap()]).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let saved = RoadNetwork::load(&RoadNetwork::path_beside(&project)).unwrap();
    let info = territory_designer::io::project_file::load(&project).unwrap().road_network.expect("recorded");
    assert_eq!((info.nodes as usize, info.source.as_str()), (saved.node_count(), &*file.file_name().unwrap().to_string_lossy()));
}

/// Median of a non-empty list.
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[test]
fn the_distance_estimate_is_calibrated_against_the_road_networks() {
    use territory_designer::drivetime::{great_circle_km, DensityClass, DistanceEstimate};
    use territory_designer::model::settings::DriveModelSettings;
    use territory_designer::model::LonLat;
    let files = extracts();
    if files.is_empty() {
        return;
    }
    let estimate = DistanceEstimate::new(DriveModelSettings::default());
    // Trips by straight-line length: (circuity, road km/h, estimate / road time for a
    // suburban and an urban destination, and the same for the straight estimate of
    // before: road km at the area's speed all the way).
    let bins = [(1.0, 3.0), (3.0, 6.0), (6.0, 12.0), (12.0, 100.0)];
    let mut samples: Vec<Vec<[f64; 6]>> = vec![Vec::new(); bins.len()];
    for file in &files {
        let network = osm::read_pbf(file, &|_| true).unwrap();
        let main: Vec<u32> = (0..network.node_count() as u32).filter(|n| network.main[*n as usize]).collect();
        let point = |n: u32| LonLat::new(network.nodes[n as usize][0], network.nodes[n as usize][1]);
        for s in 0..20 {
            let source = main[(s * 7919) % main.len()];
            let reach = reach_from(&network, &at_node(source, &network), f64::INFINITY);
            for t in (0..main.len()).step_by((main.len() / 200).max(1)) {
                let target = main[t];
                let gc = great_circle_km(point(source), point(target));
                let (road_km, hours) = (reach.metres[target as usize] as f64 / 1000.0, reach.seconds[target as usize] as f64 / 3600.0);
                if let Some(b) = bins.iter().position(|(lo, hi)| gc >= *lo && gc < *hi).filter(|_| hours > 0.0) {
                    let km = estimate.road_km(point(source), point(target));
                    let guess = |d: DensityClass| estimate.hours_for_road_km(km, d) / hours;
                    let before = |d: DensityClass| km / estimate.speed_kmh(d) / hours;
                    samples[b].push([road_km / gc, road_km / hours, guess(DensityClass::Suburban), guess(DensityClass::Urban), before(DensityClass::Suburban), before(DensityClass::Urban)]);
                }
            }
        }
    }
    println!("| straight km | trips | circuity | road km/h | estimate/road, suburban | urban | before, suburban | before, urban |");
    for (b, (lo, hi)) in bins.iter().enumerate() {
        let s = &samples[b];
        if s.is_empty() {
            continue;
        }
        let m: Vec<f64> = (0..6).map(|i| median(s.iter().map(|x| x[i]).collect())).collect();
        let (c, r) = (m[0], m[2]);
        println!("| {lo}-{hi} | {} | {:.2} | {:.1} | {:.2} | {:.2} | {:.2} | {:.2} |", s.len(), m[0], m[1], m[2], m[3], m[4], m[5]);
        assert!((1.0..1.8).contains(&c), "circuity {c}");
        assert!((0.6..1.6).contains(&r), "the estimate is off by {r:.2}x for {lo}-{hi} km trips");
    }
}

#[test]
fn drive_times_export_says_road_or_estimate_for_every_account() {
    let Some((dir, project, dc)) = dc_project() else { return };
    let file = |name: &str| dir.path().join(name);
    let p = project.to_str().unwrap();
    // Without a network every time is the estimate, and says so.
    let csv = file("times.csv");
    let said = run(&["export", p, "--scenario", "Plan", "--drive-times", csv.to_str().unwrap()]);
    assert!(said.contains("(0 by road)") && said.contains("no road network"), "{said}");
    run(&["roads", p, "--osm", dc.to_str().unwrap()]);
    let said = run(&["export", p, "--scenario", "Plan", "--drive-times", csv.to_str().unwrap()]);
    assert!(said.contains("road network dc_washington"), "{said}");
    let project_data = territory_designer::io::project_file::load(&project).unwrap();
    let home = |rep: &str| project_data.reps.iter().find(|r| r.name == rep).unwrap().home;
    let mut reader = csv::Reader::from_path(&csv).unwrap();
    let (mut road, mut estimate) = (0, 0);
    for row in reader.records() {
        let row = row.unwrap();
        let (rep, km, minutes, source) = (&row[2], row[3].parse::<f64>().unwrap(), row[4].parse::<f64>().unwrap(), &row[5]);
        let account = project_data.accounts.iter().find(|a| a.external_id == row[0]).unwrap();
        let straight = territory_designer::drivetime::great_circle_km(home(rep), account.location);
        assert!(km >= straight * 0.99, "{}: {km} km by road, {straight} straight", &row[0]);
        let kmh = km / (minutes / 60.0);
        assert!((5.0..=100.0).contains(&kmh), "{}: {kmh} km/h", &row[0]);
        match source {
            "road" => road += 1,
            "estimate" => estimate += 1,
            other => panic!("source {other}"),
        }
    }
    assert!(road > 20 && estimate > 20, "both kinds: {road} by road, {estimate} estimated");
}

/// Accounts across Washington DC, two reps and an optimized "Plan"; the extract covers
/// the city's north-west (the cathedral): (dir, project path, extract).
fn dc_project() -> Option<(tempfile::TempDir, PathBuf, PathBuf)> {
    let (Some(dc), true) = (extracts().into_iter().find(|p| p.to_string_lossy().contains("dc_washington")), Path::new("../shared/data/zcta-fullres").exists()) else { return None };
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| dir.path().join(name);
    let mut accounts = String::from("id,lat,lon,potential\n");
    for i in 0..200 {
        let (lat, lon) = (38.83 + (i % 20) as f64 * 0.008, -77.10 + (i / 20) as f64 * 0.018);
        accounts += &format!("A{i},{lat:.5},{lon:.5},1000\n");
    }
    std::fs::write(file("accounts.csv"), accounts).unwrap();
    std::fs::write(file("reps.csv"), "name,lat,lon\nAnn,38.930,-77.070\nBo,38.870,-76.990\n").unwrap();
    let project = file("dc.tdproj");
    let p = project.to_str().unwrap().to_string();
    let units = "../shared/data/zcta-fullres/dc_district_of_columbia_zip_codes_geo.min.json";
    run(&["new", "--units", units, "--accounts", file("accounts.csv").to_str().unwrap(), "--reps", file("reps.csv").to_str().unwrap(), "--skip-bad-rows", "--out", &p]);
    run(&["optimize", &p, "--into", "Plan"]);
    Some((dir, project, dc))
}

/// Runs the app's command line; it must succeed. Returns what it printed.
fn run(args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_territory-designer")).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn metrics_use_road_times_and_stay_equal_to_a_full_recompute_through_edits() {
    use territory_designer::metrics::ScenarioMetrics;
    use territory_designer::model::command::Command;
    use territory_designer::model::ids::UnitId;
    let Some((_dir, path, dc)) = dc_project() else { return };
    run(&["roads", path.to_str().unwrap(), "--osm", dc.to_str().unwrap()]);
    let project = territory_designer::io::project_file::load(&path).unwrap();
    let roads = territory_designer::drivetime::roads::cache::for_project(&project, &path).unwrap().expect("the network is beside the project");
    assert!(roads.accounts_on_network() > 20, "{} accounts on the roads", roads.accounts_on_network());
    let plan = project.scenario_by_name("Plan").unwrap().id;
    let estimate = ScenarioMetrics::compute(&project, project.scenario(plan).unwrap());
    let mut session = territory_designer::session::Session::new(project);
    session.set_active(plan);
    session.set_roads(Some(roads.clone()));
    assert!(session.metrics().drive_model().contains("road network dc_washington"));
    let by_road: f64 = session.metrics().territories.iter().map(|t| t.drive_hours).sum();
    let estimated: f64 = estimate.territories.iter().map(|t| t.drive_hours).sum();
    assert!((by_road - estimated).abs() > 1e-6 * estimated, "road times change the drive hours: {by_road} vs {estimated}");

    // The tooltip's drive equals the export's where both are by road.
    let network = RoadNetwork::of_project(session.project(), &path).unwrap().unwrap();
    let snapper = territory_designer::drivetime::roads::search::Snapper::new(&network);
    let exported = territory_designer::drivetime::roads::times::account_drives(session.project(), session.scenario(), Some((&network, &snapper)));
    let mut both = 0;
    for (i, e) in exported.iter().enumerate() {
        let shown = session.metrics().account_drive(session.project(), session.scenario(), session.project().accounts[i].id);
        if let (Some(e), Some(shown)) = (e, shown) {
            if shown.by_road && e.source == territory_designer::drivetime::roads::times::Source::Road {
                assert!((shown.hours * 60.0 - e.minutes).abs() < 0.01 && (shown.km - e.km).abs() < 0.01, "account {i}: {shown:?} vs {e:?}");
                both += 1;
            }
        }
    }
    assert!(both > 20, "{both} accounts by road in both");

    let same = |session: &territory_designer::session::Session, what: &str| {
        let full = ScenarioMetrics::compute_with_roads(session.project(), session.scenario(), Some(roads.clone()));
        for (a, b) in session.metrics().territories.iter().zip(&full.territories) {
            assert!((a.drive_hours - b.drive_hours).abs() < 1e-6 * b.drive_hours.max(1.0), "{what}: incremental {} vs full {}", a.drive_hours, b.drive_hours);
            assert!((a.workload_index - b.workload_index).abs() < 1e-9, "{what}: index");
        }
    };
    // Units move between the two territories, one edit at a time.
    let territories: Vec<_> = session.scenario().territories.iter().map(|t| t.id).collect();
    for u in (0..session.project().units.len()).step_by(3) {
        let to = territories[u % territories.len()];
        session.execute(Command::assign_units([UnitId(u as u32)], Some(to))).unwrap();
        same(&session, "after a move");
    }
    session.undo().unwrap();
    same(&session, "after undo");
    // What-if: a home base moves (one new search from it).
    let rep = session.project().reps[0].id;
    let home = session.project().reps[0].home;
    session.execute(Command::SetRepHome { rep, home: territory_designer::model::entities::LonLat::new(home.lon + 0.02, home.lat - 0.01) }).unwrap();
    same(&session, "after moving a home base");

    // `report` says which model it used.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_territory-designer")).args(["report", path.to_str().unwrap(), "--scenario", "Plan"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Drive times: road network dc_washington"), "{text}");
}

#[test]
fn the_optimizer_measures_distances_from_home_bases_by_road() {
    let Some((_dir, path, dc)) = dc_project() else { return };
    let p = path.to_str().unwrap();
    let summary = |text: String| serde_json::from_str::<serde_json::Value>(&text).unwrap();
    let straight = summary(run(&["optimize", p, "--into", "Straight", "--format", "json"]));
    assert_eq!(straight["distances"], "straight line");
    run(&["roads", p, "--osm", dc.to_str().unwrap()]);
    let by_road = summary(run(&["optimize", p, "--into", "By road", "--format", "json"]));
    assert!(by_road["distances"].as_str().unwrap().contains("road network dc_washington"), "{by_road}");
    assert_eq!(by_road["noncontiguous_territories"], 0);
    // Road km are longer than straight lines (and the estimate's circuity where the
    // roads do not reach): the same balance measured by road reads farther.
    let km = |s: &serde_json::Value| s["mean_weighted_distance_km"].as_f64().unwrap();
    assert!(km(&by_road) > km(&straight) * 1.05, "by road {} km, straight {} km", km(&by_road), km(&straight));
    let text = run(&["optimize", p, "--into", "Again"]);
    assert!(text.contains(" km by road,"), "{text}");
}

/// The route drawn on the map is a quickest one: A* towards the account takes as long
/// as the one-to-many search says, and it runs along roads of the network.
#[test]
fn routes_are_quickest_paths_along_the_roads() {
    use territory_designer::drivetime::roads::search::{route, Snapper};
    let files = extracts();
    let Some(file) = files.first() else { return };
    let network = osm::read_pbf(file, &|_| true).unwrap();
    let snapper = Snapper::new(&network);
    let main: Vec<u32> = (0..network.node_count() as u32).filter(|n| network.main[*n as usize]).collect();
    let at = |n: u32| network.nodes[n as usize];
    let mut checked = 0;
    for i in 0..6 {
        let start_node = main[i * main.len() / 6];
        let p = at(start_node);
        let start = snapper.snap(p[0] + 0.0004, p[1] - 0.0003).unwrap();
        let reach = reach_from(&network, &start, f64::INFINITY);
        for j in 0..15 {
            let q = at(main[(j * 7919 + i * 104_729) % main.len()]);
            let Some(end) = snapper.snap(q[0] - 0.0002, q[1] + 0.0003) else { continue };
            let (seconds, _) = reach.to(&network, &end).unwrap();
            let (path, on_road) = route(&network, &start, &end).expect("the main part is connected");
            let off_road = (start.off_km + end.off_km) / territory_designer::drivetime::roads::search::OFF_ROAD_KMH * 3600.0;
            assert!((on_road + off_road - seconds).abs() <= 1e-3 * seconds.max(1.0) + 0.05, "{}: route {on_road} + {off_road} s, search {seconds} s", file.display());
            let along: f64 = path.windows(2).map(|w| network.edge_seconds(w[0], w[1]).expect("consecutive junctions share a road") as f64).sum();
            assert!(along <= on_road + 1e-3, "the junctions' roads take {along} s of {on_road}");
            assert!(path.first().is_some_and(|n| *n == start.a || *n == start.b) && path.last().is_some_and(|n| *n == end.a || *n == end.b));
            checked += 1;
        }
    }
    assert!(checked >= 60, "{checked} routes");
}
