#!/bin/bash
# plain-guest-disk.sh: the plain-mode VM tests' guest (no ostree), under .cache/vm/plain/:
#   disk.raw                ext4 (label plain-root) holding a plain Debian 12 root: systemd, udev,
#                           initramfs-tools and Debian's overlayroot, the guest kernel's modules, the
#                           VM test reporter (vmtest.service, plus plain-report.service for what only
#                           this guest reports, and late-writer.service, which writes at shutdown),
#                           a normal Debian /etc/fstab, and prepare-root installed with
#                           dracut/install.sh, as an image builder would, its checkpoint unit enabled.
#   overlayroot-initrd.img  the initramfs Debian's initramfs-tools and overlayroot make for the
#                           guest kernel, built inside the guest tree (mkinitramfs in a chroot), the
#                           comparison for plain mode's transient root.
#   plain.env               what the tests need: kernel, disk, that initramfs, kargs.
# The Debian tree (debootstrap, ~1 min) is cached by its package list; the rest is rebuilt because
# it holds the current prepare-root build. Our own initramfs for this guest is built on the host
# by test/harness/initramfs.sh (dracut), as for the ostree guest.
# Packages: initramfs-tools' Recommends (busybox, zstd) are listed too: apt installs them on any
# normal Debian system, and without busybox overlayroot's init-bottom script has no grep and
# fails (open) on every boot; without zstd the image falls back to gzip.
# Nothing on the host changes: the chroot's /proc, /sys and /dev exist only in a private mount
# namespace, and the disk is made by mkfs.ext4 -d (no loop device, no mount).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
P=$ROOT/.cache/vm/plain
mkdir -p "$P"
t0=$EPOCHREALTIME
stamp() { awk -v a="$t0" -v b="$EPOCHREALTIME" -v m="$*" 'BEGIN { printf "plain-guest-disk: [%5.1fs] %s\n", b - a, m }' >&2; }

KV=$(bash "$ROOT/test/harness/kernel.sh")
K=$ROOT/.cache/kernel/$KV
[ -x "$ROOT/dist/prepare-root" ] || (cd "$ROOT" && node build.mjs > /dev/null)

PACKAGES=systemd-sysv,udev,kmod,initramfs-tools,busybox,zstd,overlayroot
bash "$HERE/debian-rootfs.sh" "$P" "$PACKAGES"
stamp "Debian tree ready"

rm -rf "$P/tree" "$P/disk.raw" "$P/overlayroot-initrd.img" "$P/plain.env"

# 1. The OS tree: a plain Debian root, as it would be installed on a disk.
T=$P/tree
cp -a "$P/rootfs" "$T"
: > "$T/etc/machine-id"               # systemd makes one per boot
echo vmtest > "$T/etc/hostname"
sed -i 's/^root:[^:]*:/root::/' "$T/etc/shadow"   # passwordless root on the console, for debugging
# A normal Debian fstab: plain mode must leave it alone. The copy under /usr lets the guest
# compare what it booted with against what the image holds.
echo 'LABEL=plain-root / ext4 errors=remount-ro 0 1' > "$T/etc/fstab"
install -D -m 0644 "$T/etc/fstab" "$T/usr/lib/vmtest/image-fstab"
mkdir -p "$T/usr/lib/modules/$KV"
cp -a "$K/lib/modules/$KV/." "$T/usr/lib/modules/$KV/"
# mkinitramfs reads the kernel's config (compression support); the kernel itself is booted by qemu.
cp "$K/boot/config-$KV" "$T/boot/"
# The disk is virtio: make sure its driver is in the image whatever MODULES= picks.
echo virtio_blk >> "$T/etc/initramfs-tools/modules"
# Built in a chroot, the root's filesystem type cannot be probed: say it, so the fsck hook adds
# e2fsck as it does on an installed system.
echo FSTYPE=ext4 > "$T/etc/initramfs-tools/conf.d/fstype"
install -D -m 0755 "$HERE/guest/vmtest.sh" "$T/usr/lib/vmtest/vmtest.sh"
install -D -m 0644 "$HERE/guest/vmtest.service" "$T/usr/lib/systemd/system/vmtest.service"
install -D -m 0755 "$HERE/guest/plain-report.sh" "$T/usr/lib/vmtest/plain-report.sh"
install -D -m 0644 "$HERE/guest/plain-report.service" "$T/usr/lib/systemd/system/plain-report.service"
mkdir -p "$T/etc/systemd/system/multi-user.target.wants"
ln -s /usr/lib/systemd/system/vmtest.service "$T/etc/systemd/system/multi-user.target.wants/"
ln -s /usr/lib/systemd/system/plain-report.service "$T/etc/systemd/system/multi-user.target.wants/"
install -D -m 0755 "$HERE/guest/late-writer.sh" "$T/usr/lib/vmtest/late-writer.sh"
install -D -m 0644 "$HERE/guest/late-writer.service" "$T/usr/lib/systemd/system/late-writer.service"
ln -s /usr/lib/systemd/system/late-writer.service "$T/etc/systemd/system/multi-user.target.wants/"
bash "$ROOT/dracut/install.sh" "$T" > /dev/null
# As install.sh says to, for volatile overlays (it does nothing on a boot without one).
mkdir -p "$T/etc/systemd/system/local-fs.target.wants"
ln -s /usr/lib/systemd/system/prepare-root-checkpoint.service "$T/etc/systemd/system/local-fs.target.wants/"
stamp "tree ready ($(du -sh "$T" | cut -f1))"

# 2. overlayroot's initramfs: Debian's mkinitramfs in the tree, with the tree's own
# initramfs-tools config and hooks (overlayroot's among them), zstd as on Debian 12.
LOG=$P/mkinitramfs.log
unshare --mount --propagation private bash -c '
  set -e
  mount -t proc proc "$1/proc"; mount -t sysfs sys "$1/sys"; mount --bind /dev "$1/dev"
  chroot "$1" mkinitramfs -c zstd -o /tmp/overlayroot-initrd.img "$2"
  chroot "$1" lsinitramfs /tmp/overlayroot-initrd.img > "$3"
' mkinitramfs "$T" "$KV" "$P/overlayroot-initrd.list" > "$LOG" 2>&1 ||
  { echo "plain-guest-disk: mkinitramfs failed" >&2; tail -20 "$LOG" >&2; exit 1; }
mv "$T/tmp/overlayroot-initrd.img" "$P/overlayroot-initrd.img"
# What must be in it: overlayroot's script, the disk's driver, overlayfs, busybox (its grep).
for f in scripts/init-bottom/overlayroot virtio_blk.ko overlay.ko busybox; do
  grep -q "$f" "$P/overlayroot-initrd.list" || { echo "plain-guest-disk: overlayroot's initramfs lacks $f" >&2; exit 1; }
done
stamp "overlayroot initramfs made ($(du -h "$P/overlayroot-initrd.img" | cut -f1))"

# 3. The disk: mkfs -d copies the tree (hard links and xattrs included) without mounting.
truncate -s 2G "$P/disk.raw"
mkfs.ext4 -q -F -b 4096 -L plain-root -d "$T" "$P/disk.raw"
stamp "disk.raw made"

cat > "$P/plain.env" <<EOF
KV=$KV
KERNEL=$K/boot/vmlinuz-$KV
DISK=$P/disk.raw
OVERLAYROOT_INITRD=$P/overlayroot-initrd.img
KARGS='root=LABEL=plain-root rw'
EOF
stamp "guest ready: $P/plain.env"
