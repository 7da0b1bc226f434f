#!/bin/bash
# dracut-build.sh FLAVOUR OUT_DIR [CONF_DIR]: build an uncompressed initramfs with Debian's dracut
# and our module (FLAVOUR systemd or shell) for the cached cloud kernel, then unpack it into
# OUT_DIR/root. dracut reads only CONF_DIR (our drop-in by default), never the host's dracut.conf.d;
# our module comes in through a private dracutbasedir; the build root's /etc/ostree is an empty
# directory in a private mount namespace. Nothing on the host changes.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
FLAVOUR=$1 OUT=$(realpath -m "$2") CONFDIR=${3:-}
KV=$(bash "$HERE/kernel.sh")
K=$ROOT/.cache/kernel/$KV
rm -rf "$OUT"; mkdir -p "$OUT"/{base/modules.d,conf,tmp,root,etc-ostree}
if [ -z "$CONFDIR" ]; then cp "$ROOT/dracut/prepare-root.conf" "$OUT/conf/"; CONFDIR=$OUT/conf; fi
# dracut 059 has no option for an extra modules.d: a private base dir linking the stock one.
for f in /usr/lib/dracut/*; do [ "$(basename "$f")" = modules.d ] || ln -s "$f" "$OUT/base/"; done
for m in /usr/lib/dracut/modules.d/*; do ln -s "$m" "$OUT/base/modules.d/"; done
ln -s "$ROOT/dracut/99prepare-root" "$OUT/base/modules.d/99prepare-root"
case $FLAVOUR in
  systemd) modules="bash systemd systemd-initrd dracut-systemd base rootfs-block kernel-modules udev-rules prepare-root" ;;
  shell) modules="bash base rootfs-block kernel-modules udev-rules prepare-root" ;;
  *) echo "dracut-build.sh: flavour systemd or shell" >&2; exit 2 ;;
esac
export OUT CONFDIR K KV modules ROOT
unshare --mount --propagation private /bin/bash -c '
  set -euo pipefail
  mount --bind "$OUT/etc-ostree" /etc/ostree
  dracutbasedir=$OUT/base prepare_root_binary=$ROOT/dist/prepare-root \
    dracut --conf /dev/null --confdir "$CONFDIR" --tmpdir "$OUT/tmp" --kmoddir "$K/lib/modules/$KV" \
      --no-hostonly --no-hostonly-cmdline --no-early-microcode --no-compress --force --quiet \
      -m "$modules" --drivers "virtio_pci virtio_blk ext4" "$OUT/initrd.img" "$KV"
'
(cd "$OUT/root" && cpio -idm --quiet < "$OUT/initrd.img")
echo "$OUT/root"
