#!/bin/bash
# initramfs.sh IMPL FLAVOUR OUT [ETC_OSTREE]: build an initramfs for the cached guest kernel with
# Debian's dracut, the way a distribution's image build does it: the implementation's files are
# installed under /usr first, then dracut runs with its stock module directory.
#   IMPL prepare-root: the files of our .deb (npm run package; or PREPARE_ROOT_DEB=FILE): the
#                      binary, the dracut module and dracut.conf.d drop-in, and the rest.
#   IMPL ostree:       Debian's ostree-boot 2026.4 + libcomposefs1 (scripts/fetch-reference.sh).
#   FLAVOUR systemd, or shell (dracut without systemd: our module's hooks, pivot mode).
#   ETC_OSTREE: the build root's /etc/ostree (prepare-root.conf, the composefs key); default empty.
#   COMPRESS=none: an uncompressed image (to unpack and inspect), else zstd -3.
#   PLAIN_CONF=FILE: the build root's /usr/lib/prepare-root/prepare-root.conf (IMPL prepare-root).
#   OSTREE_CONF_USR=FILE: the build root's /usr/lib/ostree/prepare-root.conf (IMPL prepare-root).
# A build that fails prints dracut's messages and exits non-zero.
# Nothing on the host changes: the files appear under /usr through a read-only overlay, and
# ETC_OSTREE over /etc/ostree, both only in a private mount namespace; the host's dracut.conf
# and dracut.conf.d are not read.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
IMPL=$1 FLAVOUR=$2 OUT=$(realpath -m "$3") ETC_OSTREE=${4:-}
KV=$(bash "$ROOT/test/harness/kernel.sh")
W=$(mktemp -d /tmp/initramfs.XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W"/{stage,confdir,tmp,etc-ostree}
[ -n "$ETC_OSTREE" ] && cp -a "$ETC_OSTREE/." "$W/etc-ostree/"
case $IMPL in
  prepare-root) DEB=${PREPARE_ROOT_DEB:-$(bash "$ROOT/scripts/package.sh" "$W/deb")}
                dpkg-deb -x "$DEB" "$W/stage"; USR=$W/stage/usr; MODULE=prepare-root
                [ -n "${PLAIN_CONF:-}" ] && install -D -m 0644 "$PLAIN_CONF" "$USR/lib/prepare-root/prepare-root.conf"
                [ -n "${OSTREE_CONF_USR:-}" ] && install -D -m 0644 "$OSTREE_CONF_USR" "$USR/lib/ostree/prepare-root.conf" ;;
  ostree) USR=$ROOT/.cache/reference/2026.4/root/usr; MODULE=ostree
          [ -x "$USR/lib/ostree/ostree-prepare-root" ] || { echo "initramfs.sh: run scripts/fetch-reference.sh first" >&2; exit 1; } ;;
  *) echo "initramfs.sh: IMPL is prepare-root or ostree" >&2; exit 2 ;;
esac
case $FLAVOUR in
  systemd) MODULES="bash systemd systemd-initrd dracut-systemd base rootfs-block kernel-modules udev-rules $MODULE" ;;
  shell) MODULES="bash base rootfs-block kernel-modules udev-rules $MODULE" ;;
  *) echo "initramfs.sh: FLAVOUR is systemd or shell" >&2; exit 2 ;;
esac
mkdir -p "$(dirname "$OUT")"
export W USR MODULES OUT KV ROOT COMPRESS=${COMPRESS:-zstd}
unshare --mount --propagation private /bin/bash -c '
  set -euo pipefail
  mount -t overlay overlay -o "ro,lowerdir=$USR:/usr" /usr
  mount --bind "$W/etc-ostree" /etc/ostree
  compression=(--compress "zstd -3 -q -T0")
  if [ "$COMPRESS" = none ]; then compression=(--no-compress); fi
  dracut --conf /dev/null --confdir "$W/confdir" --tmpdir "$W/tmp" \
    --kmoddir "$ROOT/.cache/kernel/$KV/lib/modules/$KV" --no-hostonly --no-hostonly-cmdline \
    --no-early-microcode --force --quiet -m "$MODULES" --drivers "virtio_blk" \
    "${compression[@]}" "$OUT" "$KV"
'
