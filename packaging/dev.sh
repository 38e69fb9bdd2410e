#!/usr/bin/env bash
# One entry point for a fresh Debian/Ubuntu machine: installs the system packages, a virtual
# environment with the app, then runs the app (`run`), the tests (`test`), builds the Linux
# installers (`package`: PyInstaller bundle, .tar.xz and .deb in dist/) or nothing (`setup`).
# `test` = ruff, the import-linter layer contracts, mypy, then the whole pytest suite.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV=${QWENASR_VENV:-$ROOT/.venv}
PY=${PYTHON:-python3}

SYSTEM_PACKAGES=(
  python3-venv python3-pip
  # audio: PortAudio for sounddevice, libsndfile for soundfile, PulseAudio for the virtual mic
  libportaudio2 libsndfile1 pulseaudio pulseaudio-utils libasound2-plugins libpulse0
  # Qt's X11/EGL/xkb runtime libraries (xcb platform plugin) and fonts, CJK included
  libegl1 libgl1 libopengl0 libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4
  libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0
  libxcb-xfixes0 libxcb-xkb1 libdbus-1-3 libfontconfig1 libglib2.0-0 libnss3 libxcomposite1
  libxdamage1 libxrandr2 libxtst6 libxkbfile1 fonts-noto-cjk fonts-dejavu-core
  # screenshots under a virtual X server
  xvfb xauth
)

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install_system() {
  local missing=()
  for p in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing system packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

install_python() {
  if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
  fi
  local stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e ".[test]"
    rm -f "$VENV"/.installed-* && touch "$stamp"
  fi
}

cmd=${1:-run}
shift || true
install_system
install_python
case "$cmd" in
  setup) ;;
  run) exec "$VENV/bin/qwenasr-desktop" "$@" ;;
  test)
    export QT_QPA_PLATFORM=offscreen
    "$VENV/bin/ruff" check qwenasr_desktop tests benchmarks
    "$VENV/bin/lint-imports" --no-cache   # layer contracts: [tool.importlinter] in pyproject.toml
    "$VENV/bin/mypy"                      # type checks: [tool.mypy] in pyproject.toml
    exec "$VENV/bin/python" -m pytest -q "$@" ;;
  package)
    "$VENV/bin/python" -c "import PyInstaller" 2>/dev/null \
      || "$VENV/bin/python" -m pip install -q -e ".[test,package]"
    exec ./packaging/build-linux.sh "$@" ;;
  *) echo "usage: packaging/dev.sh [setup|run|test|package] [args...]" >&2; exit 2 ;;
esac
