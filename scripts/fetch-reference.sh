#!/bin/bash
# Download (never install) the reference ostree-prepare-root 2026.4 and libcomposefs 1.0.8 from
# Debian sid into .cache/reference/2026.4, with a private apt config so the host's sources and
# packages stay untouched (shared/reference/fixtures.md §3.1). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
OSTREE_BOOT=ostree-boot=2026.4-1
LIBCOMPOSEFS=libcomposefs1=1.0.8-3
OUT=.cache/reference/2026.4
if [ -x "$OUT/ostree-prepare-root" ] && [ -e "$OUT/lib/libcomposefs.so.1" ]; then
  echo "reference: $OUT/ostree-prepare-root (ostree 2026.4) already present"
  exit 0
fi
W=$(realpath -m .cache/reference/apt)
rm -rf "$W" && mkdir -p "$W"/{lists/partial,cache/archives/partial,etc/sources.list.d,debs,x}
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main" > "$W/etc/sources.list"
A=(-o "Dir::State::Lists=$W/lists" -o "Dir::Etc::SourceList=$W/etc/sources.list"
   -o "Dir::Etc::SourceParts=$W/etc/sources.list.d" -o "Dir::Cache=$W/cache"
   -o "APT::Sandbox::User=root")
apt-get "${A[@]}" update -qq
(cd "$W/debs" && apt-get "${A[@]}" download "$OSTREE_BOOT" "$LIBCOMPOSEFS" -qq)
for deb in "$W"/debs/*.deb; do dpkg-deb -x "$deb" "$W/x"; done
mkdir -p "$OUT/lib"
cp "$W/x/usr/lib/ostree/ostree-prepare-root" "$OUT/"
cp -P "$W"/x/usr/lib/x86_64-linux-gnu/libcomposefs.so.1* "$OUT/lib/"
rm -rf "$W"
echo "reference: $OUT/ostree-prepare-root (ostree 2026.4, libcomposefs 1.0.8) downloaded"
