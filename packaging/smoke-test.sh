#!/usr/bin/env bash
# Run the built app's self-test: `<bundle>/qwenasr-desktop --self-test` (offscreen, offline
# recognition of a bundled clip with hotwords, exit 0 when the hotwords come out).
#
#   packaging/smoke-test.sh [ARTIFACT]
#
# ARTIFACT: a bundle folder, a .tar.xz of it or a .deb (unpacked with dpkg-deb -x, not installed);
# default dist/qwenasr-desktop. Runs with an empty HOME and data folder, no API key, no keyring,
# and, where `unshare -n` works (root, as on CI), with no network at all.
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=qwenasr-desktop
ARTIFACT=${1:-dist/$NAME}
if [ ! -e "$ARTIFACT" ]; then
  echo "smoke-test.sh: $ARTIFACT does not exist; build it with ./packaging/dev.sh package" >&2
  exit 2
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
case "$ARTIFACT" in
  *.tar.xz) tar -C "$TMP" -xJf "$ARTIFACT"; EXE="$TMP/$NAME/$NAME" ;;
  *.deb) dpkg-deb -x "$ARTIFACT" "$TMP/root"; EXE="$TMP/root/opt/$NAME/$NAME" ;;
  *) EXE="$ARTIFACT/$NAME" ;;
esac
if [ ! -x "$EXE" ]; then
  echo "smoke-test.sh: no executable $NAME in $ARTIFACT (looked for $EXE)" >&2
  exit 2
fi
mkdir -p "$TMP/home"
ISOLATE=()
if command -v unshare >/dev/null && unshare -n true 2>/dev/null; then
  ISOLATE=(unshare -n)
  echo "smoke-test: running $EXE --self-test with no network (unshare -n)"
else
  echo "smoke-test: running $EXE --self-test (unshare -n unavailable: network not isolated)"
fi
dead=http://127.0.0.1:9
clean_env=(env -i PATH=/usr/bin:/bin HOME="$TMP/home" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen
  HTTP_PROXY=$dead HTTPS_PROXY=$dead ALL_PROXY=$dead HF_HUB_OFFLINE=1
  PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring)
set +e
"${ISOLATE[@]}" "${clean_env[@]}" "$EXE" --self-test --data-dir "$TMP/data"
rc=$?
if [ $rc -eq 0 ]; then
  # A normal first start (welcome banner, no key, no network) must show the window and quit cleanly.
  start_out=$("${ISOLATE[@]}" "${clean_env[@]}" timeout 120 "$EXE" --quit-when-shown --data-dir "$TMP/first-run" 2>&1)
  rc=$?
  echo "$start_out" | grep "window shown after" || { echo "$start_out" >&2; [ $rc -eq 0 ] && rc=1; }
fi
set -e
if [ $rc -eq 0 ]; then echo "smoke-test: PASSED ($ARTIFACT)"; else echo "smoke-test: FAILED with exit code $rc ($ARTIFACT)" >&2; fi
exit $rc
