#!/bin/bash
# guest-disk.sh: the VM boot tests' guest, under .cache/vm/:
#   disk.raw   ext4 (label probe-root, fs-verity on) holding a real ostree sysroot: a small Debian 12
#              tree with systemd, ostree and SELinux (refpolicy, used when the kernel is booted with
#              security=selinux), committed with its labels and deployed twice with `ostree admin deploy`;
#              the commit carries ostree.composefs.digest.v0 and an ed25519 signature, each
#              deployment a composefs image (deployment 0 a good one, 1 a tampered copy), and
#              every repo object and image has fs-verity enabled.
#   guest.env  what the tests need: kernel, kargs per deployment, keys.
# The Debian tree (debootstrap, ~1 min) is cached; the rest is rebuilt because it holds the
# current prepare-root build (installed into the tree from its .deb with dpkg, as an image builder
# would). fs-verity cannot be enabled on this host's kernel, so one boot of a busybox initramfs on
# the guest kernel does it (test/vm/guest/enable-verity.pl).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
H=$ROOT/test/harness
V=$ROOT/.cache/vm
mkdir -p "$V"
t0=$EPOCHREALTIME
stamp() { awk -v a="$t0" -v b="$EPOCHREALTIME" -v m="$*" 'BEGIN { printf "guest-disk: [%5.1fs] %s\n", b - a, m }' >&2; }

KV=$(bash "$H/kernel.sh")
K=$ROOT/.cache/kernel/$KV

PACKAGES=systemd-sysv,udev,kmod,ostree,ostree-boot,selinux-policy-default,selinux-basics
bash "$HERE/debian-rootfs.sh" "$V" "$PACKAGES"
stamp "Debian tree ready"

# Clear the previous build (deployment directories are immutable).
for d in "$V"/sysroot/ostree/deploy/*/deploy/*; do [ -d "$d" ] && chattr -i "$d"; done
rm -rf "$V/tree" "$V/tree-var" "$V/sysroot" "$V/disk.raw" "$V/scratch"

# 1. The OS tree, in ostree's layout (docs/testing.md): config in usr/etc, /var kept aside for
# the stateroot, top-level links into var/, the kernel in usr/lib/modules.
T=$V/tree
cp -a "$V/rootfs" "$T"
# prepare-root from its .deb (npm run package), into the tree's own dpkg database, before /var
# moves aside. --force-depends: the package Depends on initramfs-tools | dracut, and this tree has
# neither: the tests build its initramfs on the host (test/harness/initramfs.sh, Debian's dracut
# with the same package's files), so the guest needs no generator of its own.
DEB=$(bash "$ROOT/scripts/package.sh" "$V/deb")
dpkg --root="$T" --force-depends -i "$DEB" > "$V/dpkg.log" 2>&1 ||
  { echo "guest-disk: dpkg -i $DEB failed" >&2; tail -20 "$V/dpkg.log" >&2; exit 1; }
mv "$T/var" "$V/tree-var"
mkdir "$T/var"
rm -rf "$T"/{dev,proc,sys,run,tmp,boot,home,root,opt,srv,mnt,media}
mkdir "$T"/{dev,proc,sys,run,tmp,boot,sysroot}
ln -s sysroot/ostree "$T/ostree"
ln -s var/home "$T/home"; ln -s var/roothome "$T/root"; ln -s var/opt "$T/opt"
ln -s var/srv "$T/srv"; ln -s var/mnt "$T/mnt"; ln -s run/media "$T/media"
# SELinux, used only when a boot asks for it (security=selinux): permissive unless the kernel
# says enforcing=1. No autorelabel: the commit carries the policy's labels.
printf 'SELINUX=permissive\nSELINUXTYPE=default\n' > "$T/etc/selinux/config"
rm -f "$T/.autorelabel"
mv "$T/etc" "$T/usr/etc"
: > "$T/usr/etc/machine-id"          # systemd makes one per boot
# /var: ostree's generator mounts it. /boot: 2026.4's generator binds /sysroot/boot there, but
# Debian 12's 2022.7 userspace expects the initramfs to have done it (2025.2 and older did): fstab.
echo '/sysroot/boot /boot none bind 0 0' > "$T/usr/etc/fstab"
echo vmtest > "$T/usr/etc/hostname"
sed -i 's/^root:[^:]*:/root::/' "$T/usr/etc/shadow"   # passwordless root on the console, for debugging
mkdir -p "$T/usr/lib/modules/$KV"
cp -a "$K/lib/modules/$KV/." "$T/usr/lib/modules/$KV/"
cp "$K/boot/vmlinuz-$KV" "$T/usr/lib/modules/$KV/vmlinuz"
echo "not used: the VM boots the initramfs the test builds" > "$T/usr/lib/modules/$KV/initramfs.img"
mkdir -p "$T/usr/local/data"         # a persisted path of the persist scenario
# The half of ostree that acts on /run/ostree-booted after switch-root must be the version we are
# compatible with: 2026.4's ostree-remount reads sysroot-ro from it (2022.7's never makes /sysroot
# read-only). It needs only GLib and libmount, so Debian 12 runs it. (The generator needs 2026.4's
# libostree; Debian 12's still mounts /var.)
REF=$ROOT/.cache/reference/2026.4/root
[ -x "$REF/usr/lib/ostree/ostree-remount" ] || { echo "guest-disk: run scripts/fetch-reference.sh first" >&2; exit 1; }
install -m 0755 "$REF/usr/lib/ostree/ostree-remount" "$T/usr/lib/ostree/ostree-remount"
install -m 0644 "$REF/usr/lib/systemd/system/ostree-remount.service" "$T/usr/lib/systemd/system/ostree-remount.service"
install -D -m 0755 "$HERE/guest/vmtest.sh" "$T/usr/lib/vmtest/vmtest.sh"
install -D -m 0755 "$HERE/guest/enable-verity.pl" "$T/usr/lib/vmtest/enable-verity.pl"
install -D -m 0644 "$HERE/guest/vmtest.service" "$T/usr/lib/systemd/system/vmtest.service"
mkdir -p "$T/usr/etc/systemd/system/multi-user.target.wants"
ln -s /usr/lib/systemd/system/vmtest.service "$T/usr/etc/systemd/system/multi-user.target.wants/"
stamp "tree ready ($(du -sh "$T" | cut -f1))"

# 2. The sysroot. The composefs digest must be in the commit, and the image is made from the
# commit's tree: commit once, make the image, commit the same tree again with the digest.
S=$V/sysroot OS=probeos REF=probeos/x86_64/stable
LOG=$V/ostree.log; : > "$LOG"
step() { "$@" >>"$LOG" 2>&1 || { echo "guest-disk: failed: $*" >&2; tail -20 "$LOG" >&2; exit 1; }; }
mkdir -p "$S"
step ostree admin init-fs --modern "$S"
step ostree admin os-init --sysroot="$S" "$OS"
step ostree --repo="$S/ostree/repo" config set sysroot.bootloader none
# Labelled by the tree's own policy as it is committed (ostree reads usr/etc/selinux/config).
step ostree --repo="$S/ostree/repo" commit --branch=scratch --tree=dir="$T" --selinux-policy="$T" \
  --subject=tree --timestamp=2024-01-01T00:00:00Z
IMG=$V/image.cfs
DIGESTS=1 XATTRS=1 bash "$H/mkcfs.sh" "$S/ostree/repo" scratch "$IMG"
digest=$(fsverity digest "$IMG" | sed 's/^sha256:\([0-9a-f]*\) .*/\1/')
bytes=$(echo "$digest" | sed 's/../byte 0x&, /g; s/, $//')
step ostree --repo="$S/ostree/repo" commit --branch="$REF" --tree=ref=scratch --subject=vmtest \
  --timestamp=2024-01-01T00:00:00Z "--add-metadata=ostree.composefs.digest.v0=[$bytes]"
step ostree --repo="$S/ostree/repo" refs --delete scratch
COMMIT=$(ostree --repo="$S/ostree/repo" rev-parse "$REF")
# Explicit kargs (never --karg-proc-cmdline: that copies the host's). Deployed twice: two deployments
# of the same commit. --no-merge: a merge from the first would rebuild the SELinux policy in the
# second through bwrap, for nothing (the two /etc are the same); --retain keeps the first then.
step ostree admin deploy --sysroot="$S" --os="$OS" --karg=root=LABEL=probe-root --karg=rw "$REF"
step ostree admin deploy --sysroot="$S" --os="$OS" --no-merge --retain --karg=root=LABEL=probe-root --karg=rw "$REF"
stamp "committed and deployed $COMMIT"

# The stateroot's /var starts as the tree's /var (dpkg's database, systemd's state...), labelled
# by the tree's policy (cp drops security.selinux when this host has SELinux off): the
# deployment's own setfiles, in a chroot with the stateroot var as its /var.
cp -a "$V/tree-var/." "$S/ostree/deploy/$OS/var/"
unshare --mount bash -c 'mount -t proc proc "$1/proc" && mount --bind "$2" "$1/var" &&
  chroot "$1" setfiles -F /usr/etc/selinux/default/contexts/files/file_contexts /var' \
  label-var "$T" "$S/ostree/deploy/$OS/var" >> "$LOG" 2>&1 || { echo "guest-disk: labelling /var failed" >&2; tail -5 "$LOG" >&2; exit 1; }
# Boot links: /ostree/boot.N/<os>/<bootcsum>/<index> → the deployment; index 0 is the newest.
link_of() { (cd "$S" && for l in ostree/boot.?/"$OS"/*/"$1"; do echo "/$l"; done | head -1); }
GOOD=$(link_of 0) TAMPERED=$(link_of 1)
DGOOD=$S/$(cd "$S" && readlink -f "${GOOD#/}" | sed "s|^$S/||")
DTAMPERED=$S/$(cd "$S" && readlink -f "${TAMPERED#/}" | sed "s|^$S/||")
chattr -i "$DGOOD" "$DTAMPERED"
cp "$IMG" "$DGOOD/.ostree.cfs"
cp "$IMG" "$DTAMPERED/.ostree.cfs"
size=$(stat -c %s "$IMG")
printf '\xff' | dd of="$DTAMPERED/.ostree.cfs" bs=1 seek=$((size / 2)) conv=notrunc status=none
chattr +i "$DGOOD" "$DTAMPERED"
rm -f "$IMG"
# Signed with ostree's ed25519 format; a second, unrelated public key for the wrong-key case.
rm -f "$V/secret" "$V/public" "$V/wrong.public"
bash "$H/sign-commit.sh" "$S/ostree/repo" "$COMMIT" "$V/secret" "$V/public"
node -e "const k = require('node:crypto').generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
  process.stdout.write(Buffer.from(k.x, 'base64url').toString('base64') + '\n')" > "$V/wrong.public"

# 3. The disk: mkfs -d copies the tree (hard links and xattrs included) without mounting.
truncate -s 3G "$V/disk.raw"
mkfs.ext4 -q -F -b 4096 -O verity -L probe-root -d "$S" "$V/disk.raw"
stamp "disk.raw made"

# 4. fs-verity on every object and both images: a busybox initramfs boots the guest kernel,
# mounts the disk and runs enable-verity.pl with the deployment's own perl.
B=$V/scratch/busybox
mkdir -p "$B"/{bin,dev,proc,sys,sysroot}
cp /bin/busybox "$B/bin/"
for a in sh [ test mount umount mkdir chroot sync poweroff cat dd echo sleep insmod; do ln -s busybox "$B/bin/$a"; done
xz -dc "$K/lib/modules/$KV/kernel/drivers/block/virtio_blk.ko.xz" > "$B/virtio_blk.ko"
D=${DGOOD#"$S"}
cat > "$B/init" <<EOF
#!/bin/sh
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
insmod /virtio_blk.ko
i=0; while [ ! -b /dev/vda ] && [ \$i -lt 200 ]; do sleep 0.05; i=\$((i+1)); done
mount -t ext4 /dev/vda /sysroot
mount --bind /sysroot /sysroot$D/sysroot
out=\$(chroot /sysroot$D /usr/bin/perl /usr/lib/vmtest/enable-verity.pl /sysroot/ostree/repo/objects \
  /sysroot$D/.ostree.cfs /sysroot${DTAMPERED#"$S"}/.ostree.cfs 2>&1 && echo "VERITY-RESULT: PASS")
umount /sysroot$D/sysroot; umount /sysroot; sync
echo "\$out"; { echo "\$out"; printf '\0'; } | dd of=/dev/vdb 2>/dev/null; sync
poweroff -f
EOF
chmod +x "$B/init"
(cd "$B" && find . -print0 | cpio --null -o -H newc --quiet) > "$V/scratch/verity-initrd.img"
read -r rc wall < <(VM_MEMORY=512 bash "$HERE/qemu.sh" "$K/boot/vmlinuz-$KV" "$V/scratch/verity-initrd.img" "$V/disk.raw" "$V/scratch/verity" "console=ttyS0 panic=-1 quiet")
grep -q 'VERITY-RESULT: PASS' "$V/scratch/verity/result.txt" ||
  { echo "guest-disk: enabling fs-verity failed (qemu $rc):" >&2; tail -20 "$V/scratch/verity/serial.log" >&2; exit 1; }
stamp "fs-verity enabled in ${wall}s: $(grep enable-verity: "$V/scratch/verity/result.txt")"
rm -rf "$V/scratch"

cat > "$V/guest.env" <<EOF
KV=$KV
KERNEL=$K/boot/vmlinuz-$KV
DISK=$V/disk.raw
COMMIT=$COMMIT
KARGS_GOOD='root=LABEL=probe-root rw ostree=$GOOD'
KARGS_TAMPERED='root=LABEL=probe-root rw ostree=$TAMPERED'
DEPLOY_GOOD=${DGOOD#"$S"/}
PUBLIC_KEY=$V/public
WRONG_PUBLIC_KEY=$V/wrong.public
EOF
stamp "guest ready: $V/guest.env"
