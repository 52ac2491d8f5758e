//! `territory-designer screenshot` renders the real window under Xvfb (software GL).

use std::process::Command;

fn xvfb_available() -> bool {
    Command::new("sh").args(["-c", "command -v xvfb-run"]).output().is_ok_and(|o| o.status.success())
}

/// Renders the sample at 1200x800 with extra arguments; `None` when Xvfb is missing.
fn shoot(extra: &[&str]) -> Option<Vec<[u8; 3]>> {
    if !xvfb_available() {
        assert!(std::env::var_os("CI").is_none(), "CI must install xvfb (see .ci/run)");
        eprintln!("skipped: xvfb-run is not installed");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("shot.png");
    let output = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1920x1200x24"])
        .arg(env!("CARGO_BIN_EXE_territory-designer"))
        .args(["screenshot", "sample_maps/mid_atlantic.tdproj", "--out"])
        .arg(&out)
        .args(["--width", "1200", "--height", "800"])
        .args(extra)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&out).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (1200, 800));
    Some(buf[..info.buffer_size()].chunks_exact(4).map(|p| [p[0], p[1], p[2]]).collect())
}

#[test]
fn a_screenshot_wider_than_the_screen_has_the_size_asked_for() {
    if !xvfb_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("wide.png");
    let output = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1280x1024x24"])
        .arg(env!("CARGO_BIN_EXE_territory-designer"))
        .args(["screenshot", "sample_maps/mid_atlantic.tdproj", "--out"])
        .arg(&out)
        .args(["--width", "1600", "--height", "900"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&out).unwrap()));
    let info = decoder.read_info().unwrap().info().clone();
    assert_eq!((info.width, info.height), (1600, 900));
}

#[test]
fn screenshot_of_the_sample_shows_map_and_panel() {
    let Some(pixels) = shoot(&[]) else { return };
    let distinct: std::collections::HashSet<_> = pixels.iter().collect();
    assert!(distinct.len() > 500, "only {} colours: the map did not render", distinct.len());
    // The ocean of the basemap (Atlantic, Chesapeake) is on screen.
    let ocean = pixels.iter().filter(|p| p[0].abs_diff(170) < 4 && p[1].abs_diff(205) < 4 && p[2].abs_diff(222) < 4).count();
    assert!(ocean > 1000, "{ocean} ocean pixels");
    // Pittsburgh's orange (Tableau 10 #f28e2b) blended over land is on screen.
    let orange = pixels.iter().filter(|p| p[0] > 220 && (140..200).contains(&p[1]) && p[2] < 140).count();
    assert!(orange > 1000, "{orange} orange pixels");
}

#[test]
fn workload_heat_map_shows_the_overloaded_west_in_deep_red() {
    let Some(pixels) = shoot(&["--color-by", "workload"]) else { return };
    // Pittsburgh & Western PA (index 2.4) takes the deepest RdBu red, #67001f, at alpha
    // 215 over the land colour: (125, 37, 63). Northwest PA (0.4) the deepest blue,
    // #053061, blended: (41, 77, 118).
    let near = |p: &[u8; 3], q: [u8; 3]| (0..3).all(|i| p[i].abs_diff(q[i]) <= 10);
    let deep_red = pixels.iter().filter(|p| near(p, [125, 37, 63])).count();
    assert!(deep_red > 5000, "{deep_red} deep red pixels");
    let deep_blue = pixels.iter().filter(|p| near(p, [41, 77, 118])).count();
    assert!(deep_blue > 5000, "{deep_blue} deep blue pixels");
}

#[test]
fn an_unknown_colour_mode_or_attribute_fails_before_a_window_opens() {
    for (arg, expected) in [("rainbow", "unknown colour mode 'rainbow'"), ("attr:nope", "no attribute 'nope'")] {
        let output = Command::new(env!("CARGO_BIN_EXE_territory-designer"))
            .args(["screenshot", "sample_maps/mid_atlantic.tdproj", "--out", "/tmp/x.png", "--color-by", arg])
            .output()
            .unwrap();
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    }
}

#[test]
fn screenshot_without_a_display_or_with_bad_arguments_fails_cleanly() {
    let output = Command::new(env!("CARGO_BIN_EXE_territory-designer"))
        .args(["screenshot", "sample_maps/mid_atlantic.tdproj", "--out", "/tmp/x.png", "--scenario", "Nope"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no scenario named 'Nope'"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}

#[test]
fn compare_view_marks_the_zips_that_change_hands() {
    let Some(pixels) = shoot(&["--compare", "2026 alignment", "2027 proposal"]) else { return };
    let magenta = pixels.iter().filter(|p| p[0].abs_diff(200) < 12 && p[1] < 25 && p[2].abs_diff(120) < 12).count();
    assert!(magenta > 3000, "{magenta} outline pixels");
}
