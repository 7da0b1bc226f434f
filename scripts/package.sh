#!/bin/bash
# package.sh [OUTDIR]: build the Debian package dist/prepare-root_<version>_<arch>.deb (or into
# OUTDIR) with dpkg's own tools (dpkg-deb; no debhelper), laid out as dh would: the binary, the
# initramfs-tools hook and boot script, the dracut module and drop-in, the systemd units, man
# pages, bash completion, copyright, changelog, example configs, a lintian override, and the
# update-initramfs trigger. No config in /etc or /usr/lib (see docs/packaging.md), no
# maintainer scripts. Prints the path of the .deb.
# Reproducible: every timestamp is SOURCE_DATE_EPOCH (default: the last commit's time), owners
# are root:root, modes are set here, and the file order is sorted by dpkg-deb.
#   npm run package            (builds dist/prepare-root first when it is missing or older than src/, native/)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(realpath -m "${1:-$ROOT/dist}")
cd "$ROOT"

BIN=dist/prepare-root
if [ ! -x "$BIN" ] || [ -n "$(find src native build.mjs -newer "$BIN" -print -quit)" ]; then
  node build.mjs > /dev/null
fi
UPSTREAM=$(node -p 'require("./package.json").version')
VERSION=$UPSTREAM-1
ARCH=$(dpkg --print-architecture)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
MAINTAINER=${DEB_MAINTAINER:-$(git log -1 --format='%an <%ae>' 2>/dev/null || true)}
[ -n "$MAINTAINER" ] || { echo "package.sh: no maintainer: set DEB_MAINTAINER='Name <email>'" >&2; exit 1; }
# The source packages whose code is linked into the static executable (policy 7.8, Built-Using).
built_using() {
  dpkg-query -W -f='${source:Package} (= ${source:Version})' "$1" 2>/dev/null ||
    { echo "package.sh: $1 is not installed (scripts/setup.sh installs it)" >&2; exit 1; }
}
BUILT_USING="$(built_using libc6-dev), $(built_using libsodium-dev)"

W=$(mktemp -d /tmp/prepare-root-deb.XXXXXX)
trap 'rm -rf "$W"' EXIT
P=$W/prepare-root
umask 022
doc=$P/usr/share/doc/prepare-root
# install -D with explicit modes: the package does not depend on the checkout's modes or umask.
install -D -m 0755 "$BIN" "$P/usr/lib/prepare-root/prepare-root"
install -d "$P/usr/sbin"
ln -s ../lib/prepare-root/prepare-root "$P/usr/sbin/prepare-root"
install -D -m 0755 initramfs-tools/hooks/prepare-root "$P/usr/share/initramfs-tools/hooks/prepare-root"
install -D -m 0755 initramfs-tools/scripts/local-bottom/prepare-root \
  "$P/usr/share/initramfs-tools/scripts/local-bottom/prepare-root"
M=$P/usr/lib/dracut/modules.d/99prepare-root
install -d "$M"
install -m 0755 dracut/99prepare-root/*.sh "$M/"
install -m 0644 dracut/99prepare-root/prepare-root.service "$M/"
install -D -m 0644 dracut/dracut.conf.d/50-prepare-root.conf "$P/usr/lib/dracut/dracut.conf.d/50-prepare-root.conf"
S=$P/usr/lib/systemd/system
install -D -m 0644 systemd/prepare-root-checkpoint.service "$S/prepare-root-checkpoint.service"
install -D -m 0644 systemd/prepare-root-relabel.service "$S/prepare-root-relabel.service"
# Enabled statically, as dracut/install.sh does: it does nothing without SELinux and labels.json.
install -d "$S/sysinit.target.wants"
ln -s ../prepare-root-relabel.service "$S/sysinit.target.wants/prepare-root-relabel.service"
install -d "$P/usr/share/man/man8" "$P/usr/share/man/man5"
gzip -9n < man/prepare-root.8 > "$P/usr/share/man/man8/prepare-root.8.gz"
gzip -9n < man/prepare-root.conf.5 > "$P/usr/share/man/man5/prepare-root.conf.5.gz"
install -D -m 0644 completion/prepare-root.bash "$P/usr/share/bash-completion/completions/prepare-root"
install -D -m 0644 packaging/debian/copyright "$doc/copyright"
sed -e "s/@VERSION@/$VERSION/" -e "s/@UPSTREAM@/$UPSTREAM/" -e "s/@MAINTAINER@/$MAINTAINER/" \
  -e "s/@DATE@/$(date -u -R -d "@$SOURCE_DATE_EPOCH")/" packaging/debian/changelog.in |
  gzip -9n > "$doc/changelog.Debian.gz"
install -D -m 0644 conf/prepare-root.conf "$doc/examples/ostree/prepare-root.conf"
install -D -m 0644 conf/plain-prepare-root.conf "$doc/examples/plain/prepare-root.conf"
install -D -m 0644 packaging/debian/lintian-overrides "$P/usr/share/lintian/overrides/prepare-root"
chmod 0644 "$P"/usr/share/man/*/*.gz "$doc/changelog.Debian.gz"
find "$P" -type d -exec chmod 0755 {} +

install -d -m 0755 "$P/DEBIAN"
install -m 0644 packaging/debian/triggers "$P/DEBIAN/triggers"
(cd "$P" && find usr -type f | LC_ALL=C sort | xargs md5sum) > "$P/DEBIAN/md5sums"
chmod 0644 "$P/DEBIAN/md5sums"
# Installed-Size as dpkg-gencontrol counts it: each file's KiB rounded up, 1 per directory or link.
SIZE=$(cd "$P" && find usr -printf '%y %s\n' | awk '{ t += $1 == "f" ? int(($2 + 1023) / 1024) : 1 } END { print t }')
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@MAINTAINER@/$MAINTAINER/" \
  -e "s/@INSTALLED_SIZE@/$SIZE/" -e "s/@BUILT_USING@/$BUILT_USING/" packaging/debian/control.in > "$P/DEBIAN/control"
find "$P" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

mkdir -p "$OUT"
DEB=$OUT/prepare-root_${VERSION}_$ARCH.deb
dpkg-deb --root-owner-group -Zxz --build "$P" "$DEB" > /dev/null
echo "$DEB"
