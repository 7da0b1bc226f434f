#!/bin/bash
# npm run bench: prepare-root against the reference ostree-prepare-root 2026.4, in the same
# fake-initramfs harness and the same run, RUNS times each (interleaved), for a legacy prepare
# and a transient root. Prints medians and the ratio, then where our time goes. Needs root and
# `npm run build` + scripts/fetch-reference.sh. A benchmark, not a test: it asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-25}
OURS=$PWD/dist/prepare-root
REF=$PWD/.cache/reference/2026.4
H=$PWD/test/harness
[ -x "$OURS" ] || { echo "bench: build first (npm run build)" >&2; exit 1; }
[ -x "$REF/ostree-prepare-root" ] || { echo "bench: run scripts/fetch-reference.sh first" >&2; exit 1; }
export RUNS OURS REF H
unshare --mount --propagation private --fork /bin/bash -s <<'INNER'
set -euo pipefail
W=$(mktemp -d /tmp/prepare-root-bench.XXXXXX)
mount -t tmpfs bench "$W"
S=$W/sysroot; mkdir "$S"; mount -t tmpfs -o mode=0755 sysroot "$S"
bash "$H/mktree.sh" "$W/tree"
bash "$H/mksysroot.sh" "$S" "$W/tree" > "$W/cmdline"
# The reference only has a transient root with composefs: give the deployment an image.
D=$(realpath "$S"/ostree/deploy/probeos/deploy/*.0)
chattr -i "$D"; bash "$H/mkcfs.sh" "$S/ostree/repo" probeos/x86_64/stable "$D/.ostree.cfs"; chattr +i "$D"
printf '[root]\ntransient=true\n' > "$W/ours-transient.conf"
printf '[composefs]\nenabled=yes\n[root]\ntransient=true\n' > "$W/ref-transient.conf"

elapsed() { grep -A1 '^=== elapsed_us' | tail -1; }
rc() { grep -A1 '^=== rc' | tail -1; }
median() { sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1000}'; }

for mode in legacy transient; do
  : > "$W/ours.$mode"; : > "$W/ref.$mode"
  for i in $(seq "$RUNS"); do
    for impl in ours ref; do
      if [ "$impl" = ours ]; then env=(PREP="$OURS"); else env=(PREP="$REF/ostree-prepare-root" PREPLIB="$REF/lib"); fi
      [ "$mode" = transient ] && env+=(PREPCONF="$W/$impl-transient.conf")
      out=$(env "${env[@]}" bash "$H/run-in-initrd.sh" "$S" "$W/cmdline")
      [ "$(rc <<< "$out")" = 0 ] || { echo "bench: $impl $mode failed:"; echo "$out"; exit 1; }
      elapsed <<< "$out" >> "$W/$impl.$mode"
    done
  done
  o=$(median < "$W/ours.$mode"); r=$(median < "$W/ref.$mode")
  printf '%-9s  ours %7s ms   reference %6s ms   ratio %5.1fx   (median of %d runs each)\n' "$mode" "$o" "$r" "$(echo "$o / $r" | bc -l)" "$RUNS"
done

# Where our time goes: Node start-up alone, start-up plus reading and planning, and one util-linux call.
echo
echo "where the time goes (ours, median of $RUNS):"
t() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(( (e - s) / 1000 )); }
for i in $(seq "$RUNS"); do t env -u NODE_EXTRA_CA_CERTS "$OURS" --version; done | median | xargs printf '  node start-up (--version):        %6s ms\n'
for i in $(seq "$RUNS"); do t env -u NODE_EXTRA_CA_CERTS "$OURS" plan "$S" "$(cat "$W/cmdline")"; done | median | xargs printf '  start-up + read + plan (plan):    %6s ms\n'
mkdir -p "$W/a" "$W/b"
for i in $(seq "$RUNS"); do t mount --no-mtab --bind "$W/a" "$W/b"; umount "$W/b"; done | median | xargs printf '  one util-linux mount process:     %6s ms\n'
steps=$(env -u NODE_EXTRA_CA_CERTS "$OURS" plan "$S" "$(cat "$W/cmdline")" | grep -cE '^ +[0-9]+\. .* u?mount ')
echo "  util-linux calls in a legacy prepare: $steps"
umount -R "$W"; rmdir "$W"
INNER
