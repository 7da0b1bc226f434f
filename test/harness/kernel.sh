#!/bin/bash
# kernel.sh: Debian 12's 6.12 cloud kernel (fs-verity on ext4, overlayfs data-only layers for
# composefs) with its modules under .cache/kernel/<version>/ (downloaded and unpacked, never
# installed; modules.dep made with depmod -b), for dracut --kmoddir and VM boots.
# Prints the kernel version. Needs apt lists (apt-get update). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
PKG=linux-image-6.12-cloud-amd64
kpkg=$(apt-cache depends "$PKG" | awk '/Depends: linux-image-/{print $2; exit}')
[ -n "$kpkg" ] || { echo "kernel.sh: no kernel package behind $PKG (apt-get update first?)" >&2; exit 1; }
KV=${kpkg#linux-image-}
K=.cache/kernel/$KV
if [ ! -e "$K/lib/modules/$KV/modules.dep" ]; then
  rm -rf "$K"; mkdir -p "$K"
  (cd "$K" && apt-get download -qq "$kpkg" 2>/dev/null && dpkg-deb -x ./*.deb . && rm ./*.deb)
  depmod -b "$K" "$KV"
fi
echo "$KV"
