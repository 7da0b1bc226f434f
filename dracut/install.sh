#!/bin/bash
# Install prepare-root's dracut integration into an image built without dpkg (or DESTDIR): the
# binary, the dracut module and its dracut.conf.d drop-in, the all-commented ostree config
# template where the image has none (it asks for nothing), the shutdown checkpoint unit and the
# SELinux relabel unit (enabled: it does nothing without SELinux), the man pages, the bash
# completion. Then rebuild the initramfs as usual (dracut --force, or your image build's step).
# Not the package: on Debian and its derivatives install the .deb (npm run package), which also
# carries the initramfs-tools integration, and uses the package manager (docs/packaging.md).
#   bash dracut/install.sh [DESTDIR]
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
D=${1:-}
[ -x "$SRC/dist/prepare-root" ] || { echo "install.sh: build first (npm run build)" >&2; exit 1; }
install -D -m 0755 "$SRC/dist/prepare-root" "$D/usr/lib/prepare-root/prepare-root"
install -d "$D/usr/lib/dracut/modules.d/99prepare-root"
install -m 0755 "$SRC"/dracut/99prepare-root/*.sh "$D/usr/lib/dracut/modules.d/99prepare-root/"
install -m 0644 "$SRC/dracut/99prepare-root/prepare-root.service" "$D/usr/lib/dracut/modules.d/99prepare-root/"
install -D -m 0644 "$SRC/dracut/dracut.conf.d/50-prepare-root.conf" "$D/usr/lib/dracut/dracut.conf.d/50-prepare-root.conf"
[ -e "$D/usr/lib/ostree/prepare-root.conf" ] || install -D -m 0644 "$SRC/conf/prepare-root.conf" "$D/usr/lib/ostree/prepare-root.conf"
install -D -m 0644 "$SRC/systemd/prepare-root-checkpoint.service" "$D/usr/lib/systemd/system/prepare-root-checkpoint.service"
install -D -m 0644 "$SRC/systemd/prepare-root-relabel.service" "$D/usr/lib/systemd/system/prepare-root-relabel.service"
install -d "$D/usr/lib/systemd/system/sysinit.target.wants"
ln -sfn ../prepare-root-relabel.service "$D/usr/lib/systemd/system/sysinit.target.wants/prepare-root-relabel.service"
install -D -m 0644 "$SRC/man/prepare-root.8" "$D/usr/share/man/man8/prepare-root.8"
install -D -m 0644 "$SRC/man/prepare-root.conf.5" "$D/usr/share/man/man5/prepare-root.conf.5"
install -D -m 0644 "$SRC/completion/prepare-root.bash" "$D/usr/share/bash-completion/completions/prepare-root"
echo "prepare-root (dracut) installed into ${D:-/}; enable prepare-root-checkpoint.service for volatile overlays, write the config, then rebuild the initramfs"
