#!/bin/bash
# fetch-reference.sh: download (never install) the reference ostree-prepare-root 2026.4 and
# libcomposefs 1.0.8 from Debian sid, extract them, and leave stable paths:
#   .cache/reference/2026.4/ostree-prepare-root   the binary
#   .cache/reference/2026.4/lib/                  libcomposefs.so.1 (point LD_LIBRARY_PATH here)
#   .cache/reference/2026.4/root/                 both packages' files as installed (usr/...): the
#                                                 VM boot test builds an initramfs with ostree's
#                                                 own dracut module from it
# A private apt config under .cache/reference/apt keeps the host's sources, lists and packages
# untouched; the mirror is the one this machine's apt uses, and apt checks every .deb against
# the signed Release file. Idempotent: does nothing when the pinned versions are
# already there. Exact versions only: if sid no longer has them, say what it has and fail.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/debian-apt.sh

PINS=(ostree-boot=2026.4-1 libcomposefs1=1.0.8-3)
OUT=.cache/reference/2026.4
STAMP=$OUT/VERSIONS   # records which pins produced $OUT, so a changed pin triggers a new download

if [ -x "$OUT/ostree-prepare-root" ] && [ -e "$OUT/lib/libcomposefs.so.1" ] && [ -d "$OUT/root/usr" ] &&
   [ "$(cat "$STAMP" 2>/dev/null)" = "${PINS[*]}" ]; then
  echo "reference: $OUT/ostree-prepare-root + $OUT/lib (${PINS[*]}) already present"
  exit 0
fi

W=$(realpath -m .cache/reference/apt)
MIRROR=$(debian_mirror)
if ! private_apt "$W" "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR sid main"; then
  echo "fetch-reference: apt-get update against Debian sid failed (network?)" >&2
  exit 1
fi
A=("${APT_OPTS[@]}")
mkdir -p "$W"/{debs,x}
if ! (cd "$W/debs" && apt-get "${A[@]}" download -qq "${PINS[@]}"); then
  # Most likely a pin left sid: show what sid has now, and do not take it silently.
  echo "fetch-reference: could not download ${PINS[*]} from sid. What sid has now:" >&2
  apt-cache "${A[@]}" policy "${PINS[@]%%=*}" >&2 || true
  exit 1
fi
for deb in "$W"/debs/*.deb; do dpkg-deb -x "$deb" "$W/x"; done

# Stage next to $OUT and swap in at the end, so an interrupted run never leaves half a reference.
NEW=$OUT.new
rm -rf "$NEW"
mkdir -p "$NEW/lib"
cp "$W/x/usr/lib/ostree/ostree-prepare-root" "$NEW/"
cp -P "$W"/x/usr/lib/x86_64-linux-gnu/libcomposefs.so.1* "$NEW/lib/"
cp -a "$W/x" "$NEW/root"
[ -x "$NEW/ostree-prepare-root" ] && [ -e "$NEW/lib/libcomposefs.so.1" ] || {
  echo "fetch-reference: the packages did not contain the expected files" >&2
  exit 1
}
echo "${PINS[*]}" > "$NEW/VERSIONS"
rm -rf "$OUT"
mv "$NEW" "$OUT"
rm -rf "$W"
echo "reference: $OUT/ostree-prepare-root + $OUT/lib (${PINS[*]}) downloaded"
