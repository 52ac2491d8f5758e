#!/usr/bin/env bash
# Builds the release binary and a Debian package under target/debian/:
#   bash packaging/build-deb.sh
#   sudo apt install ./target/debian/territory-designer_VERSION_ARCH.deb
# Needs dpkg-deb (part of dpkg on every Debian and Ubuntu system) and cargo. The
# package is assembled by hand rather than by cargo-deb so that it builds offline;
# the dependencies are listed by hand because eframe loads GL and the windowing
# libraries at run time (dlopen), where automatic detection finds none.
set -euo pipefail
cd "$(dirname "$0")/.."

APP_ID=io.github.territorydesigner.TerritoryDesigner
NAME=territory-designer
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)

if ! command -v dpkg-deb >/dev/null 2>&1; then
  echo "dpkg-deb is missing: installing dpkg" >&2
  SUDO=""; [ "$(id -u)" != "0" ] && SUDO="sudo"
  $SUDO apt-get install -y dpkg
fi
ARCH=$(dpkg --print-architecture)

if ! grep -q "<release version=\"$VERSION\"" packaging/$APP_ID.metainfo.xml; then
  echo "packaging/$APP_ID.metainfo.xml has no <release version=\"$VERSION\">: add the release" >&2
  exit 1
fi

cargo build --release --locked

STAGE=target/debian/stage
rm -rf "$STAGE"
install -Dm755 target/release/$NAME "$STAGE/usr/bin/$NAME"
if command -v strip >/dev/null 2>&1; then strip --strip-unneeded "$STAGE/usr/bin/$NAME"; fi
install -Dm644 packaging/$APP_ID.desktop "$STAGE/usr/share/applications/$APP_ID.desktop"
install -Dm644 packaging/$APP_ID.metainfo.xml "$STAGE/usr/share/metainfo/$APP_ID.metainfo.xml"
install -Dm644 packaging/territory-designer-mime.xml "$STAGE/usr/share/mime/packages/$NAME.xml"
install -Dm644 packaging/icons/territory-designer.svg "$STAGE/usr/share/icons/hicolor/scalable/apps/$APP_ID.svg"
for size in 16 24 32 48 64 128 256 512; do
  install -Dm644 packaging/icons/territory-designer-$size.png "$STAGE/usr/share/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
done
install -Dm644 sample_maps/mid_atlantic.tdproj "$STAGE/usr/share/$NAME/mid_atlantic.tdproj"
install -Dm644 packaging/copyright "$STAGE/usr/share/doc/$NAME/copyright"
gzip -9n -c README.md > "$STAGE/usr/share/doc/$NAME/README.md.gz"
chmod 644 "$STAGE/usr/share/doc/$NAME/README.md.gz"

# The oldest C library the binary can run with: the newest symbol version it uses.
GLIBC=$(objdump -T "$STAGE/usr/bin/$NAME" 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -n 1 || true)
GLIBC=${GLIBC:-2.31}
SIZE=$(du -sk "$STAGE" | cut -f1)
mkdir -p "$STAGE/DEBIAN"
cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: $NAME
Version: $VERSION
Architecture: $ARCH
Maintainer: The Territory Designer team <team@territorydesigner.invalid>
Installed-Size: $SIZE
Depends: libc6 (>= $GLIBC), libgcc-s1, libgl1, libegl1, libx11-6, libx11-xcb1, libxcursor1, libxi6, libxrandr2, libxkbcommon0, libxkbcommon-x11-0, libwayland-client0, libwayland-cursor0, libwayland-egl1
Recommends: libgl1-mesa-dri, xdg-desktop-portal, xdg-desktop-portal-gtk | xdg-desktop-portal-backend
Section: misc
Priority: optional
Homepage: https://github.com/territory-designer/territory-designer
Description: design balanced sales territories on a map, offline
 Territory Designer shows CRM accounts and ZIP-code polygons on a map and lets
 a sales planner move them between territories with live workload, drive time,
 balance and disruption figures; it keeps scenarios side by side, imports
 Shapefile, GeoJSON and CSV, proposes balanced contiguous territories, and has
 headless subcommands for scripting.
 .
 Without xdg-desktop-portal and a portal backend the file dialogs cannot open.
CONTROL

OUT=target/debian/${NAME}_${VERSION}_${ARCH}.deb
dpkg-deb --build --root-owner-group "$STAGE" "$OUT" >/dev/null
echo "built $OUT"
