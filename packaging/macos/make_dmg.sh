#!/bin/sh
# Wrap CodeFace.app in a compressed disk image with an /Applications shortcut.
# Usage: sh packaging/macos/make_dmg.sh dist/CodeFace.app dist/CodeFace-0.1.0.dmg
# macOS only (hdiutil). Sign and notarize the .app before this step when releasing.
set -eu
APP="${1:?usage: make_dmg.sh path/to/CodeFace.app out.dmg}"
DMG="${2:?usage: make_dmg.sh path/to/CodeFace.app out.dmg}"
command -v hdiutil >/dev/null 2>&1 || { echo "make_dmg: hdiutil not found (macOS only)" >&2; exit 2; }
[ -d "$APP" ] || { echo "make_dmg: $APP is not a folder" >&2; exit 2; }
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
rm -f "$DMG"
hdiutil create -volname "CodeFace" -srcfolder "$STAGE" -fs HFS+ -format UDZO -ov "$DMG"
echo "make_dmg: wrote $DMG"
