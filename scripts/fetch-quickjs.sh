#!/bin/bash
# fetch-quickjs.sh: QuickJS 2025.04.26 from Debian trixie's *source* package (its binary package
# needs a newer glibc than Debian 12 has), verified by apt against the signed Sources index,
# unpacked with dpkg-source and built here. Leaves:
#   .cache/quickjs/2025.04.26-1/qjsc            the bytecode compiler (runs at build time only)
#   .cache/quickjs/2025.04.26-1/libquickjs.a    interpreter + std/os modules, linked into the binary
#   .cache/quickjs/2025.04.26-1/include/        quickjs.h, quickjs-libc.h
# Idempotent: does nothing when that build is already there. Exact version only.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/debian-apt.sh

VERSION=2025.04.26-1
OUT=.cache/quickjs/$VERSION
if [ -x "$OUT/qjsc" ] && [ -f "$OUT/libquickjs.a" ] && [ -f "$OUT/include/quickjs.h" ]; then
  echo "quickjs: $OUT already built"
  exit 0
fi

W=$(realpath -m .cache/quickjs/apt)
MIRROR=$(debian_mirror)
private_apt "$W" "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR trixie main" || {
  echo "fetch-quickjs: apt-get update against Debian trixie (deb-src) failed (network?)" >&2; exit 1; }
mkdir -p "$W/src"
if ! (cd "$W/src" && apt-get "${APT_OPTS[@]}" source --download-only -qq "quickjs=$VERSION" >/dev/null); then
  echo "fetch-quickjs: could not download the source of quickjs=$VERSION from trixie. What trixie has now:" >&2
  apt-cache "${APT_OPTS[@]}" showsrc quickjs 2>/dev/null | grep -E '^(Package|Version):' >&2 || true
  exit 1
fi
# dpkg-source checks the tarballs against the .dsc (whose own checksum apt checked against the
# signed Sources index) and applies Debian's patches (install paths, armel). It cannot check the
# uploader's signature on the .dsc without Debian's keyring of maintainers; that warning is noise.
(cd "$W/src" && dpkg-source -x "quickjs_$VERSION.dsc" tree >"$W/unpack.log" 2>&1) || {
  cat "$W/unpack.log" >&2; echo "fetch-quickjs: dpkg-source failed" >&2; exit 1; }
make -C "$W/src/tree" -j"$(nproc)" qjsc libquickjs.a >"$W/build.log" 2>&1 || {
  tail -20 "$W/build.log" >&2; echo "fetch-quickjs: build failed (log above)" >&2; exit 1; }

# Stage next to $OUT and swap in at the end, so an interrupted run never leaves half a build.
NEW=$OUT.new
rm -rf "$NEW"; mkdir -p "$NEW/include"
cp "$W/src/tree/qjsc" "$W/src/tree/libquickjs.a" "$NEW/"
cp "$W/src/tree/quickjs.h" "$W/src/tree/quickjs-libc.h" "$NEW/include/"
cp "$W/src/tree/VERSION" "$NEW/"
rm -rf "$OUT"; mv "$NEW" "$OUT"; rm -rf "$W"
echo "quickjs: $OUT built ($(cat "$OUT/VERSION"))"
