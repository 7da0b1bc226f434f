#!/bin/bash
# npm run demo: build a throwaway ostree sysroot with the real `ostree admin deploy` on a tmpfs in
# a private mount namespace, prepare it with [root] transient=true in a fake initramfs root, and
# show the plan, the resulting mount tree, where writes land, status and diff; then the same for a
# plain (non-ostree) root. Nothing outlives the namespace.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "demo: run as root (it mounts, inside a private mount namespace)" >&2; exit 1; }
[ -x dist/prepare-root ] || { echo "demo: build first: bash scripts/setup.sh (or npm run build)" >&2; exit 1; }
export APP=$PWD/dist/prepare-root H=$PWD/test/harness
unshare --mount --propagation private --fork /bin/bash -s <<'INNER'
set -euo pipefail
W=$(mktemp -d /tmp/prepare-root-demo.XXXXXX)
mount -t tmpfs demo "$W"
S=$W/sysroot; mkdir "$S"; mount -t tmpfs -o mode=0755 sysroot "$S"
echo "### 1. A real ostree sysroot (ostree admin deploy) on a throwaway tmpfs: $S"
bash "$H/mktree.sh" "$W/tree"
bash "$H/mksysroot.sh" "$S" "$W/tree" > "$W/cmdline"
echo "kernel command line: $(cat "$W/cmdline")"
printf '[root]\ntransient=true\ntransient-size=256M\n[sysroot]\nreadonly=true\n' > "$W/prepare-root.conf"
echo
echo "### 2. /etc/ostree/prepare-root.conf in the initramfs"
sed 's/^/    /' "$W/prepare-root.conf"
"$APP" check-config "$W/prepare-root.conf"
echo
echo "### 3. prepare-root plan (no privileges needed, changes nothing)"
"$APP" plan "$S" "$(cat "$W/cmdline")" --config "$W/prepare-root.conf"
echo
echo "### 4. prepare-root /sysroot in a fake initramfs root, then a look around"
CHECK='
echo "--- resulting mount tree:"
findmnt -R -o TARGET,SOURCE,FSTYPE,OPTIONS /sysroot | sed -E "s/[0-9a-f]{64}/<commit>/g"
echo "--- writes: /usr and / are transient, /etc and the stateroot /var persist:"
echo hello > /sysroot/usr/lib/demo.txt; echo hello > /sysroot/etc/demo.conf
D=$(echo /sysroot/sysroot/ostree/deploy/probeos/deploy/*.0)
for f in usr/lib/demo.txt etc/demo.conf; do
  where=; [ -e /run/ostree/.private/root/upper/$f ] && where="the transient tmpfs (gone at reboot)"
  [ -e "$D/$f" ] && where="the deployment (kept)"
  echo "    /$f -> $where"
done
echo "--- /sysroot/sysroot is read-only: $(touch /sysroot/sysroot/x 2>&1 || true)"
echo "--- prepare-root status (reads /run/prepare-root/status.json, /run/ostree-booted, the mount table):"
/prep/bin status --root /sysroot | sed -E "s/[0-9a-f]{64}/<commit>/g"
echo "--- prepare-root diff: what the next reboot will lose"
/prep/bin diff --root /sysroot
'
out=$(PREP="$APP" PREPCONF="$W/prepare-root.conf" CHECK="$CHECK" bash "$H/run-in-initrd.sh" "$S" "$W/cmdline")
section() { awk -v s="=== $1" '$0 == s {on=1; next} /^=== / {on=0} on'  <<< "$out"; }
section stdout; section stderr
echo "(prepare-root exited $(section rc) after $(( $(section elapsed_us) / 1000 )) ms)"
section check
echo
echo "### 5. A plain root (no ostree= on the kernel command line): a small Debian-like tree"
P=$W/plain; mkdir "$P"; mount -t tmpfs -o mode=0755 plain "$P"
bash "$H/mkplain.sh" "$P"
echo 'root=LABEL=plain-root rw' > "$W/plain-cmdline"
printf '[root]\ntransient=true\n[persist]\npaths=/home\n' > "$W/plain.conf"
echo "/etc/prepare-root/prepare-root.conf in the initramfs:"
sed 's/^/    /' "$W/plain.conf"
"$APP" check-config --plain --root "$P" "$W/plain.conf"
CHECK='
echo "--- resulting mount tree:"
findmnt -R -o TARGET,SOURCE,FSTYPE,OPTIONS /sysroot
echo "--- writes: / and /usr are transient; /etc, /var and the persisted /home land on the disk:"
for f in usr/lib/demo.txt etc/demo.conf var/lib/demo home/user/demo; do
  echo hello > /sysroot/$f
  if [ -e /run/prepare-root/physical-root/$f ] || [ -e /run/prepare-root/physical-root/var/lib/prepare-root/persist/$f ]; then
    echo "    /$f -> the physical root (kept)"
  else
    echo "    /$f -> the transient tmpfs (gone at reboot)"
  fi
done
echo "--- the physical root is read-only at /run/prepare-root/physical-root: $(touch /run/prepare-root/physical-root/x 2>&1 || true)"
echo "--- no /run/ostree-booted: $([ -e /run/ostree-booted ] && echo present || echo absent)"
echo "--- prepare-root status:"
/prep/bin status --root /sysroot
echo "--- prepare-root diff:"
/prep/bin diff --root /sysroot
'
out=$(PREP="$APP" PLAINCONF="$W/plain.conf" CHECK="$CHECK" bash "$H/run-in-initrd.sh" "$P" "$W/plain-cmdline")
section stdout; section stderr
section check
umount -R "$W"; rmdir "$W"
echo
echo "### Done: the namespace is gone, and with it every mount; the host was not touched."
INNER
