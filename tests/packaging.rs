//! The desktop integration files of packaging/: valid (with desktop-file-validate and
//! appstreamcli when installed, and by their content always), and in step with the app
//! (its id, version, file extension and icon sizes).

use std::path::Path;
use std::process::Command;
use territory_designer::ui::APP_ID;

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn tool(name: &str) -> bool {
    Command::new("sh").args(["-c", &format!("command -v {name}")]).output().is_ok_and(|o| o.status.success())
}

#[test]
fn the_desktop_entry_opens_project_files_with_the_app() {
    let path = format!("packaging/{APP_ID}.desktop");
    let entry = read(&path);
    let key = |k: &str| entry.lines().find_map(|l| l.strip_prefix(&format!("{k}="))).unwrap_or_else(|| panic!("no {k}"));
    assert_eq!(key("Exec"), "territory-designer %f");
    assert_eq!(key("Icon"), APP_ID);
    assert_eq!(key("StartupWMClass"), APP_ID, "the window's app id matches the entry");
    assert!(key("MimeType").split(';').any(|m| m == "application/x-territory-designer-project"));
    if tool("desktop-file-validate") {
        let out = Command::new("desktop-file-validate").arg(&path).output().unwrap();
        assert!(out.status.success() && out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
    } else {
        eprintln!("note: desktop-file-validate is not installed; checked the content only");
    }
}

#[test]
fn the_mime_type_is_the_project_files_extension() {
    let mime = read("packaging/territory-designer-mime.xml");
    assert!(mime.contains("type=\"application/x-territory-designer-project\""));
    assert!(mime.contains(&format!("pattern=\"*.{}\"", territory_designer::io::project_file::EXTENSION)));
    assert!(mime.contains("sub-class-of type=\"application/gzip\""));
}

#[test]
fn the_metainfo_names_this_release_and_validates() {
    let path = format!("packaging/{APP_ID}.metainfo.xml");
    let meta = read(&path);
    assert!(meta.contains(&format!("<id>{APP_ID}</id>")));
    assert!(meta.contains(&format!("<launchable type=\"desktop-id\">{APP_ID}.desktop</launchable>")));
    assert!(meta.contains(&format!("<release version=\"{}\"", env!("CARGO_PKG_VERSION"))), "add a <release> for this version");
    assert!(meta.contains("<screenshot type=\"default\">"));
    if tool("appstreamcli") {
        let out = Command::new("appstreamcli").args(["validate", "--no-net"]).arg(&path).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    } else {
        eprintln!("note: appstreamcli is not installed; checked the content only");
    }
}

#[test]
fn the_icon_comes_in_every_hicolor_size() {
    assert!(read("packaging/icons/territory-designer.svg").contains("<svg"));
    for size in [16, 24, 32, 48, 64, 128, 256, 512] {
        let path = format!("packaging/icons/territory-designer-{size}.png");
        let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&path).unwrap()));
        let info = decoder.read_info().unwrap().info().clone();
        assert_eq!((info.width, info.height), (size, size), "{path}");
    }
    assert!(Path::new("packaging/build-deb.sh").exists());
}
