#!/bin/bash
# bare-root.sh PREPARE_ROOT: run the binary in a root holding nothing but itself, its shared
# libraries, util-linux mount/umount (and theirs) and /dev/null: no shell, no /proc, no /sys, no
# /tmp, an empty environment. The root is a tmpfs we pivot into, as an initramfs is. Everything
# happens in a private mount namespace. Prints the binary's rc and the status.json it wrote.
set -euo pipefail
HERE=$(dirname "$(realpath "$0")")
APP=$(realpath "$1")
W=$(mktemp -d /tmp/prepare-root-bare.XXXXXX)
trap 'rmdir "$W"' EXIT
export APP W HERE
unshare --mount --propagation private --fork /bin/bash -s <<'INNER'
set -euo pipefail
mount -t tmpfs fixture "$W"
S=$W/sysroot; mkdir "$S"; mount -t tmpfs -o mode=0755 sysroot "$S"
bash "$HERE/mktree.sh" "$W/tree"
CMDLINE=$(bash "$HERE/mksysroot.sh" "$S" "$W/tree")
B=$W/bare; mkdir "$B"; mount -t tmpfs -o mode=0755 bare "$B"
mkdir -p "$B"/{dev,run,sysroot,oldroot,proc,usr/bin}
cp "$APP" "$B/prepare-root"
cp /usr/bin/mount /usr/bin/umount "$B/usr/bin/"
for lib in $(ldd "$APP" /usr/bin/mount /usr/bin/umount | awk '/=>/ {print $3} /ld-linux/ {print $1}' | sort -u); do
  mkdir -p "$B$(dirname "$lib")"; cp -L "$lib" "$B$lib"
done
touch "$B/dev/null"; mount --bind /dev/null "$B/dev/null"
mount --bind "$S" "$B/sysroot"
cd "$B"; pivot_root . oldroot
# From here on only what is in the bare root can run (bash itself is already in memory).
# umount needs /proc to find /oldroot; mount it just for that, then take it away again
# (the empty /proc and /oldroot dirs stay: there is no rmdir in here).
/usr/bin/mount -t proc proc /proc
/usr/bin/umount --lazy /oldroot
/usr/bin/umount /proc
# exec -c: an empty environment (no PATH, no HOME), as the kernel starts init.
rc=0; ( exec -c /prepare-root /sysroot "$CMDLINE" ) > /run/out 2>&1 || rc=$?
echo "rc=$rc"
echo "$(< /run/out)"
echo "$(< /run/prepare-root/status.json)"
INNER
