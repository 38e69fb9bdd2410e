#!/usr/bin/env bash
# Build the Linux artifacts in dist/: the PyInstaller one-folder bundle, a .tar.xz of it, and a .deb.
# (No AppImage: appimagetool is not packaged in Debian and cannot be downloaded in this build.)
#
#   packaging/build-linux.sh            (or: ./packaging/dev.sh package)
#
# Environment: QWENASR_VENV (default .venv, needs the `package` extra), QWENASR_DIST (default
# dist/), QWENASR_XZ_LEVEL (default 6; 1 builds ~3x faster, 7% larger), QWENASR_DEB_COMPRESSION
# (xz by default; zstd for fast CI builds). Prints the artifact sizes and the time each step took.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV=${QWENASR_VENV:-$ROOT/.venv}
DIST=${QWENASR_DIST:-$ROOT/dist}
WORK=${QWENASR_BUILD:-$ROOT/build/pyinstaller}
NAME=qwenasr-desktop
PY="$VENV/bin/python"
if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
  echo "PyInstaller is missing in $VENV: run ./packaging/dev.sh package (installs the 'package' extra)" >&2
  exit 2
fi
VERSION=$("$PY" -c "import qwenasr_desktop; print(qwenasr_desktop.__version__)")
ARCH=$(uname -m)
step() { echo "==> $*"; }
t0=$SECONDS

step "PyInstaller one-folder bundle"
"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN --distpath "$DIST" --workpath "$WORK" \
  packaging/pyinstaller/$NAME.spec
t_bundle=$((SECONDS - t0))

step "tarball"
TARBALL="$DIST/$NAME-$VERSION-linux-$ARCH.tar.xz"
t1=$SECONDS
tar -C "$DIST" --owner=0 --group=0 -cf - "$NAME" | xz -T0 -"${QWENASR_XZ_LEVEL:-6}" > "$TARBALL"
t_tar=$((SECONDS - t1))

step "Debian package"
t1=$SECONDS
DEB=$(packaging/linux/build-deb.sh "$DIST/$NAME" "$VERSION" "$DIST")
t_deb=$((SECONDS - t1))

bundle_mb=$(du -sm "$DIST/$NAME" | cut -f1)
tar_mb=$(( $(stat -c %s "$TARBALL") / 1000000 ))
deb_mb=$(( $(stat -c %s "$DEB") / 1000000 ))
cat <<REPORT
bundle   $DIST/$NAME  ${bundle_mb} MiB on disk   (${t_bundle} s)
tarball  $TARBALL  ${tar_mb} MB   (${t_tar} s)
deb      $DEB  ${deb_mb} MB   (${t_deb} s)
total    $((SECONDS - t0)) s
smoke test: packaging/smoke-test.sh "$TARBALL"
REPORT
