#!/bin/bash
# plain-guest-disk.sh: the plain-mode VM tests' guest (no ostree), under .cache/vm/plain/:
#   disk.raw                ext4 (label plain-root) holding a plain Debian 12 root: systemd, udev,
#                           initramfs-tools, man-db, the guest kernel's modules, the VM test reporter
#                           (vmtest.service, plus plain-report.service for what only this guest
#                           reports, and late-writer.service, which writes at shutdown), a normal
#                           Debian /etc/fstab, and prepare-root installed from its .deb
#                           (npm run package) with dpkg -i, as an image builder would, its
#                           checkpoint unit enabled.
#   overlayroot-initrd.img  the initramfs Debian's initramfs-tools and overlayroot make for the
#                           guest kernel, the comparison for plain mode's transient root.
#   prepare-root-*.img      ours, made the same way by the same initramfs-tools in the same tree
#                           (update-initramfs in a chroot, our hook and boot script from the .deb):
#                           -base without a config (scenarios append theirs), -transient and
#                           -upper-device with the config written to /etc/prepare-root/ first
#                           ("install the .deb, write the config, rebuild the initramfs").
#   broken-config.log       what update-initramfs -u said about a broken config (it must fail
#                           and keep the previous image: broken-config.kept says whether it did).
#   plain.env               what the tests need: kernel, disk, those images, kargs.
# The order is an image builder's: the installed system first has an initramfs (made with
# update-initramfs -c, which carries overlayroot's hook: kept as overlayroot-initrd.img); then
# overlayroot is purged (our package Conflicts: overlayroot, whose init-bottom script would
# overlay what we prepared) and our .deb installed, whose update-initramfs trigger rebuilds it.
# The Debian tree (debootstrap, ~1 min) is cached by its package list; the rest is rebuilt because
# it holds the current prepare-root build. The dracut images of the shell-flavour scenarios are
# built on the host by test/harness/initramfs.sh, as for the ostree guest.
# Packages: initramfs-tools' Recommends (busybox, zstd) are listed too: apt installs them on any
# normal Debian system, and without busybox overlayroot's init-bottom script has no grep and
# fails (open) on every boot; without zstd the image falls back to gzip. man-db (with
# groff-base): man prepare-root in the guest.
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
# The package, as npm run package builds it (the binary too, when it is older than its sources).
DEB=$(bash "$ROOT/scripts/package.sh" "$P/deb")

PACKAGES=systemd-sysv,udev,kmod,initramfs-tools,busybox,zstd,overlayroot,man-db
bash "$HERE/debian-rootfs.sh" "$P" "$PACKAGES"
stamp "Debian tree ready"

rm -rf "$P/tree" "$P/disk.raw" "$P"/*.img "$P/plain.env" "$P/broken-config.log" "$P/broken-config.kept"

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
# The kernel as its package installs it: mkinitramfs reads its config (compression support), and
# update-initramfs -u (also from a dpkg trigger) picks the newest kernel in /boot with an initrd.
# qemu boots the same kernel from the cache.
cp "$K/boot/config-$KV" "$K/boot/vmlinuz-$KV" "$T/boot/"
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
stamp "tree ready ($(du -sh "$T" | cut -f1))"

# 2. The initramfs images, in the tree's own chroot (private mount namespace), by its own
# initramfs-tools: overlayroot's, then ours from the .deb with each config. Each image is copied
# out of /boot and listed (lsinitramfs) for the checks below.
cp "$DEB" "$T/tmp/prepare-root.deb"
LOG=$P/initramfs.log
unshare --mount --propagation private bash -c '
  set -e
  T=$1 KV=$2 P=$3
  mount -t proc proc "$T/proc"; mount -t sysfs sys "$T/sys"; mount --bind /dev "$T/dev"
  chr() { chroot "$T" "$@"; }
  keep() { cp "$T/boot/initrd.img-$KV" "$P/$1.img"; chr lsinitramfs "/boot/initrd.img-$KV" > "$P/$1.list"; }
  conf() { mkdir -p "$T/etc/prepare-root"; printf "$1" > "$T/etc/prepare-root/prepare-root.conf"; }
  echo "== the installed system'"'"'s initramfs (overlayroot installed)"
  chr update-initramfs -c -k "$KV"
  keep overlayroot-initrd
  echo "== dpkg: purge overlayroot, install prepare-root (its trigger rebuilds the initramfs)"
  chr dpkg --purge --no-triggers overlayroot
  chr dpkg -i /tmp/prepare-root.deb
  keep prepare-root-base
  echo "== a config, then update-initramfs -u"
  conf "[root]\ntransient=true\n"
  chr update-initramfs -u
  keep prepare-root-transient
  conf "[root]\ntransient=true\nupper-device=LABEL=prep-upper\n"
  chr update-initramfs -u
  keep prepare-root-upper-device
  echo "== a broken config: update-initramfs -u must fail and keep the image"
  before=$(sha256sum < "$T/boot/initrd.img-$KV")
  conf "[root]\ntransient=ture\n"
  if chr update-initramfs -u > "$P/broken-config.log" 2>&1; then echo "update-initramfs accepted a broken config" >&2; exit 1; fi
  [ "$(sha256sum < "$T/boot/initrd.img-$KV")" = "$before" ] && echo kept > "$P/broken-config.kept"
  rm -f "$T/etc/prepare-root/prepare-root.conf" "$T/tmp/prepare-root.deb"
' initramfs "$T" "$KV" "$P" > "$LOG" 2>&1 ||
  { echo "plain-guest-disk: building the initramfs images failed" >&2; tail -30 "$LOG" >&2; exit 1; }
# What must be in them: overlayroot's script, the disk's driver, overlayfs, busybox (its grep);
# ours: the binary, our boot script, overlayfs, and the baked config where one was written.
need() {
  local f
  for f in "${@:2}"; do
    grep -q "$f" "$P/$1.list" || { echo "plain-guest-disk: $1 lacks $f" >&2; exit 1; }
  done
}
need overlayroot-initrd scripts/init-bottom/overlayroot virtio_blk.ko overlay.ko busybox
for i in base transient upper-device; do
  need "prepare-root-$i" usr/lib/prepare-root/prepare-root scripts/local-bottom/prepare-root virtio_blk.ko overlay.ko
  ! grep -q overlayroot "$P/prepare-root-$i.list" || { echo "plain-guest-disk: prepare-root-$i has overlayroot" >&2; exit 1; }
done
need prepare-root-transient etc/prepare-root/prepare-root.conf
need prepare-root-upper-device etc/prepare-root/prepare-root.conf conf/prepare-root-upper-device
! grep -q etc/prepare-root "$P/prepare-root-base.list" || { echo "plain-guest-disk: the base image has a config" >&2; exit 1; }
# The checkpoint unit enabled, as the package's docs say to, for volatile overlays (it does
# nothing on a boot without one).
mkdir -p "$T/etc/systemd/system/local-fs.target.wants"
ln -s /usr/lib/systemd/system/prepare-root-checkpoint.service "$T/etc/systemd/system/local-fs.target.wants/"
stamp "initramfs images made: $(cd "$P" && for i in *.img; do printf '%s %s  ' "$i" "$(du -h "$i" | cut -f1)"; done)"

# 3. The disk: mkfs -d copies the tree (hard links and xattrs included) without mounting.
truncate -s 2G "$P/disk.raw"
mkfs.ext4 -q -F -b 4096 -L plain-root -d "$T" "$P/disk.raw"
stamp "disk.raw made"

cat > "$P/plain.env" <<EOF
KV=$KV
KERNEL=$K/boot/vmlinuz-$KV
DISK=$P/disk.raw
OVERLAYROOT_INITRD=$P/overlayroot-initrd.img
OURS_BASE=$P/prepare-root-base.img
OURS_TRANSIENT=$P/prepare-root-transient.img
OURS_UPPER_DEVICE=$P/prepare-root-upper-device.img
BROKEN_CONFIG_LOG=$P/broken-config.log
BROKEN_CONFIG_KEPT=$P/broken-config.kept
KARGS='root=LABEL=plain-root rw'
EOF
stamp "guest ready: $P/plain.env"
