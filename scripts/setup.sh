#!/bin/bash
# Set up a fresh Debian 12 machine (as root) for the demo and the tests: Debian packages, npm
# dependencies, QuickJS (built from Debian's source), the reference ostree-prepare-root binaries,
# and the prepare-root binary itself.
# Idempotent: what is already there is not fetched again.
set -euo pipefail
cd "$(dirname "$0")/.."

[ "$(id -u)" = 0 ] || { echo "setup.sh: run as root (it installs Debian packages)" >&2; exit 1; }

# ostree: builds real sysroots (ostree admin deploy). erofs-utils/fsverity/attr: composefs
# fixtures. busybox-static: a real init inside test deployments. time: peak RSS in npm run bench.
# python3-gi: GLib itself as the oracle for GVariant bytes. dracut-core, cpio: building and
# unpacking initramfs images with our dracut module (dracut-core, not dracut: that one would
# take over the host's initramfs handling). qemu-system-x86, qemu-utils, debootstrap, zstd,
# xz-utils, kmod, e2fsprogs: the VM boot tests (a Debian guest, its kernel's modules, its disk).
# gcc, libc6-dev, libsodium-dev, dpkg-dev, make: building QuickJS and linking the static
# executable (libsodium's ed25519). strace: fault injection on the binary's system calls.
# mandoc: the man pages' linter. lintian: checks the .deb `npm run package` builds (dpkg-deb,
# from dpkg, builds it; dpkg-dev's dpkg-architecture names its architecture). fdisk (sfdisk),
# xfsprogs, btrfs-progs: real partition tables and filesystems for the block-device ids.
PACKAGES=(ostree erofs-utils fsverity attr busybox-static time binutils python3-gi dracut-core cpio
  qemu-system-x86 qemu-utils debootstrap zstd xz-utils kmod e2fsprogs
  gcc libc6-dev libsodium-dev dpkg-dev make strace mandoc lintian
  fdisk xfsprogs btrfs-progs)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund --loglevel=error
bash scripts/fetch-quickjs.sh
bash scripts/fetch-reference.sh
bash test/harness/kernel.sh >/dev/null   # the guest kernel: its modules for dracut, its image for the VMs
npm run --silent build
