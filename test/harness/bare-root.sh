#!/bin/bash
# bare-root.sh PREPARE_ROOT [CONF]: run the binary in a root holding nothing but itself and
# /dev/null: no shared libraries, no util-linux, no shell, no /proc, no /sys, no /tmp, an empty
# environment. CONF, if given, becomes /etc/ostree/prepare-root.conf. The root is a tmpfs we
# pivot into, as an initramfs is. Everything happens in a private mount namespace. Prints the
# binary's rc, its output, the status.json it wrote and the resulting /sysroot mount tree.
set -euo pipefail
HERE=$(dirname "$(realpath "$0")")
APP=$(realpath "$1")
CONF=${2:-}
W=$(mktemp -d /tmp/prepare-root-bare.XXXXXX)
trap 'rmdir "$W"' EXIT
export APP W HERE CONF
unshare --mount --propagation private --fork /bin/bash -s <<'INNER'
set -euo pipefail
mount -t tmpfs fixture "$W"
S=$W/sysroot; mkdir "$S"; mount -t tmpfs -o mode=0755 sysroot "$S"
bash "$HERE/mktree.sh" "$W/tree"
CMDLINE=$(bash "$HERE/mksysroot.sh" "$S" "$W/tree")
B=$W/bare; mkdir "$B"; mount -t tmpfs -o mode=0755 bare "$B"
mkdir -p "$B"/{dev,run,sysroot,oldroot}
cp "$APP" "$B/prepare-root"
if [ -n "$CONF" ]; then mkdir -p "$B/etc/ostree"; printf '%s' "$CONF" > "$B/etc/ostree/prepare-root.conf"; fi
touch "$B/dev/null"; mount --bind /dev/null "$B/dev/null"
mount --bind "$S" "$B/sysroot"
cd "$B"; pivot_root . oldroot
# From here on only what is in the bare root could run (bash itself is already in memory, and
# the old root goes away before the binary starts).
/oldroot/bin/busybox umount -l /oldroot   # static: it runs without a loader
rc=0; ( exec -c /prepare-root /sysroot "$CMDLINE" ) > /run/out 2>&1 || rc=$?
echo "rc=$rc"
echo "=== out"; echo "$(< /run/out)"
echo "=== status"; echo "$(< /run/prepare-root/status.json)"
echo "=== root"; for f in /* /.[!.]*; do if [ -e "$f" ]; then echo "${f#/}"; fi; done   # no ls in here: bash globbing
INNER
