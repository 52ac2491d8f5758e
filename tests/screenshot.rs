//! `territory-designer screenshot` renders the real window under Xvfb (software GL).

use std::process::Command;

fn xvfb_available() -> bool {
    Command::new("sh").args(["-c", "command -v xvfb-run"]).output().is_ok_and(|o| o.status.success())
}

#[test]
fn screenshot_of_the_sample_shows_map_and_panel() {
    if !xvfb_available() {
        assert!(std::env::var_os("CI").is_none(), "CI must install xvfb (see .ci/run)");
        eprintln!("skipped: xvfb-run is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("shot.png");
    let output = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1920x1200x24"])
        .arg(env!("CARGO_BIN_EXE_territory-designer"))
        .args(["screenshot", "sample_maps/mid_atlantic.tdproj", "--out"])
        .arg(&out)
        .args(["--width", "1200", "--height", "800"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&out).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (1200, 800));
    let pixels: Vec<[u8; 3]> = buf[..info.buffer_size()].chunks_exact(4).map(|p| [p[0], p[1], p[2]]).collect();
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
