#!/usr/bin/env bash
# macOS: build "QwenASR Desktop.app" with PyInstaller, sign it, wrap it in a .dmg, notarize and
# staple. Signing and notarization run only when their credentials are present, so the same
# script makes an unsigned test build on any Mac (and in CI for pull requests).
#
#   packaging/macos/build-macos.sh
#
# Credentials (all optional):
#   MACOS_SIGN_IDENTITY   "Developer ID Application: Name (TEAMID)" in the login/CI keychain
#   MACOS_NOTARY_PROFILE  a `xcrun notarytool store-credentials` profile name, or instead
#   MACOS_NOTARY_APPLE_ID + MACOS_NOTARY_TEAM_ID + MACOS_NOTARY_PASSWORD (app-specific password)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
VENV=${QWENASR_VENV:-$ROOT/.venv}
DIST=${QWENASR_DIST:-$ROOT/dist}
APP_NAME="QwenASR Desktop"
VERSION=$("$VENV/bin/python" -c "import qwenasr_desktop; print(qwenasr_desktop.__version__)")
ARCH=$(uname -m)
APP="$DIST/$APP_NAME.app"
DMG="$DIST/qwenasr-desktop-$VERSION-macos-$ARCH.dmg"

"$VENV/bin/python" packaging/make_icons.py
"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN --distpath "$DIST" \
  --workpath "$ROOT/build/pyinstaller" packaging/pyinstaller/qwenasr-desktop.spec

# The built app must pass its own self-test before anything is signed or shipped.
"$APP/Contents/MacOS/qwenasr-desktop" --self-test --data-dir "$(mktemp -d)"

if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  echo "==> codesign ($MACOS_SIGN_IDENTITY)"
  codesign --force --deep --options runtime --timestamp \
    --entitlements packaging/macos/entitlements.plist --sign "$MACOS_SIGN_IDENTITY" "$APP"
  codesign --verify --deep --strict --verbose=2 "$APP"
else
  echo "==> MACOS_SIGN_IDENTITY not set: the .app stays unsigned (Gatekeeper will warn)"
fi

echo "==> dmg"
rm -f "$DMG"
STAGE=$(mktemp -d)
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
hdiutil create -volname "$APP_NAME" -srcfolder "$STAGE" -ov -format UDZO "$DMG"
rm -rf "$STAGE"
if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  codesign --force --timestamp --sign "$MACOS_SIGN_IDENTITY" "$DMG"
fi

notary_args=()
if [ -n "${MACOS_NOTARY_PROFILE:-}" ]; then
  notary_args=(--keychain-profile "$MACOS_NOTARY_PROFILE")
elif [ -n "${MACOS_NOTARY_APPLE_ID:-}" ] && [ -n "${MACOS_NOTARY_TEAM_ID:-}" ] && [ -n "${MACOS_NOTARY_PASSWORD:-}" ]; then
  notary_args=(--apple-id "$MACOS_NOTARY_APPLE_ID" --team-id "$MACOS_NOTARY_TEAM_ID" --password "$MACOS_NOTARY_PASSWORD")
fi
if [ -n "${MACOS_SIGN_IDENTITY:-}" ] && [ ${#notary_args[@]} -gt 0 ]; then
  echo "==> notarize and staple"
  xcrun notarytool submit "$DMG" "${notary_args[@]}" --wait
  xcrun stapler staple "$DMG"
  xcrun stapler validate "$DMG"
else
  echo "==> notarization skipped (needs MACOS_SIGN_IDENTITY and notary credentials)"
fi
ls -lh "$DMG"
