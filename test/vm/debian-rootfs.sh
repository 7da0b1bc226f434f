#!/bin/bash
# debian-rootfs.sh DIR PACKAGES: DIR/rootfs, a Debian 12 minbase tree with PACKAGES (comma-
# separated) by debootstrap from the machine's own mirror (read from its apt config, never one
# written here), kept as long as PACKAGES stay the same (DIR/rootfs.packages). About a minute.
set -euo pipefail
D=$1 PACKAGES=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(cat "$D/rootfs.packages" 2>/dev/null)" = "$PACKAGES" ] && exit 0
rm -rf "$D/rootfs" "$D/rootfs.new"
MIRROR=$(source "$ROOT/scripts/lib/debian-apt.sh"; debian_mirror)
debootstrap --variant=minbase --include="$PACKAGES" bookworm "$D/rootfs.new" "$MIRROR" > "$D/debootstrap.log" 2>&1 ||
  { tail -20 "$D/debootstrap.log" >&2; exit 1; }
rm -rf "$D/rootfs.new/var/cache/apt/archives"/*.deb
mv "$D/rootfs.new" "$D/rootfs"
echo "$PACKAGES" > "$D/rootfs.packages"
