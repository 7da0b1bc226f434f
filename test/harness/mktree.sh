#!/bin/bash
# mktree.sh DIR [VARIANT]: a small usr-merged OS tree to commit with ostree (config in usr/etc,
# a fake kernel so `ostree admin deploy` finds one). /usr/sbin/init is a busybox script that
# proves a pivot into the deployment worked. VARIANT 2 differs in content (a second commit).
set -euo pipefail
T=${1:?usage: mktree.sh DIR [VARIANT]} VARIANT=${2:-1}
HERE=$(cd "$(dirname "$0")" && pwd)
rm -rf "$T"; mkdir -p "$T"; cd "$T"
# Layout (docs/testing.md): usr-merged, config in usr/etc (a top-level etc/ breaks ostree 2022.7's
# deploy), top-level symlinks into usr/ and var/, an empty sysroot/ for prepare-root to bind onto.
mkdir -p usr/bin usr/lib usr/sbin usr/etc usr/lib/modules/6.1.0-test var boot sysroot dev proc run sys tmp
ln -s usr/bin bin; ln -s usr/lib lib; ln -s usr/sbin sbin; ln -s usr/lib lib64; ln -s sysroot/ostree ostree
ln -s var/home home; ln -s var/roothome root; ln -s var/opt opt; ln -s var/srv srv; ln -s var/mnt mnt; ln -s run/media media
printf 'NAME="ProbeOS"\nID=probeos\nVERSION_ID=%s\nPRETTY_NAME="ProbeOS %s"\n' "$VARIANT" "$VARIANT" > usr/lib/os-release
ln -s ../usr/lib/os-release usr/etc/os-release
echo probe-host > usr/etc/hostname
# A secret with a strict mode and an xattr: persisting it must keep both.
mkdir -p usr/etc/ssh; echo "host key $VARIANT" > usr/etc/ssh/ssh_host_key; chmod 600 usr/etc/ssh/ssh_host_key
setfattr -n user.prepare-root-test -v kept usr/etc/ssh/ssh_host_key
printf 'root:x:0:0:root:/root:/bin/sh\n' > usr/etc/passwd
echo "hello from usr, variant $VARIANT" > usr/lib/hello.txt
# /sbin/init (→ usr/sbin/init) proves a pivot into the deployment worked, and shows its mounts.
bash "$HERE/test-init.sh" .
# Content for state overlays: a file to shadow, one to delete, a dir to replace, a mount point.
mkdir -p usr/share/app/dir usr/share/combo
echo "base $VARIANT" > usr/share/app/base.txt; echo del > usr/share/app/del.txt; echo x > usr/share/app/dir/x
# A kernel + initramfs, else deploy fails ("Failed to find kernel"); their sha256 is the boot checksum.
echo fake-kernel > usr/lib/modules/6.1.0-test/vmlinuz
echo fake-initramfs > usr/lib/modules/6.1.0-test/initramfs.img
