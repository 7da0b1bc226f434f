#!/bin/bash
# npm run bench: prepare-root against the reference ostree-prepare-root 2026.4, in the same
# fake-initramfs harness and the same run, RUNS times each (interleaved), for a legacy prepare
# and a transient root. Prints medians and ratios, the peak RSS of a prepare, the cost of the
# ed25519 check of a signed commit, the binary's size, and where our time goes. Needs root,
# `npm run build` and scripts/fetch-reference.sh. A benchmark, not a test: it asserts nothing.
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
# A signed commit with a composefs digest (of any 32 bytes: the signature check comes first).
digest="[$(for i in $(seq 32); do printf 'byte 0x%02x, ' "$i"; done | sed 's/, $//')]"
COMMIT_ARGS="--add-metadata=ostree.composefs.digest.v0=$digest" bash "$H/mksysroot.sh" "$S" "$W/tree" > "$W/cmdline"
# The reference only has a transient root with composefs: give the deployment an image.
D=$(realpath "$S"/ostree/deploy/probeos/deploy/*.0)
chattr -i "$D"; bash "$H/mkcfs.sh" "$S/ostree/repo" probeos/x86_64/stable "$D/.ostree.cfs"; chattr +i "$D"
bash "$H/sign-commit.sh" "$S/ostree/repo" "$(basename "$D" .0)" "$W/secret" "$W/public"
printf '[root]\ntransient=true\n' > "$W/ours-transient.conf"
printf '[composefs]\nenabled=yes\n[root]\ntransient=true\n' > "$W/ref-transient.conf"

section() { awk -v want="=== $1" '/^=== / {on = ($0 == want); next} on'; }
median() { sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.2f", m / 1000}'; }

for mode in legacy transient; do
  : > "$W/ours.$mode"; : > "$W/ref.$mode"
  for i in $(seq "$RUNS"); do
    for impl in ours ref; do
      if [ "$impl" = ours ]; then env=(PREP="$OURS"); else env=(PREP="$REF/ostree-prepare-root" PREPLIB="$REF/lib"); fi
      [ "$mode" = transient ] && env+=(PREPCONF="$W/$impl-transient.conf")
      out=$(env "${env[@]}" bash "$H/run-in-initrd.sh" "$S" "$W/cmdline")
      [ "$(section rc <<< "$out")" = 0 ] || { echo "bench: $impl $mode failed:"; echo "$out"; exit 1; }
      section elapsed_us <<< "$out" >> "$W/$impl.$mode"
    done
  done
  o=$(median < "$W/ours.$mode"); r=$(median < "$W/ref.$mode")
  printf '%-9s  ours %6s ms   reference %6s ms   ratio %4.2fx   (median of %d runs each)\n' "$mode" "$o" "$r" "$(echo "$o / $r" | bc -l)" "$RUNS"
done

# Peak RSS of a whole prepare, as the kernel accounts it (GNU time's %M, in KiB).
echo
for mode in legacy transient; do
  conf=(); [ "$mode" = transient ] && conf=(PREPCONF="$W/ours-transient.conf")
  rss=$(env PREP="$OURS" "${conf[@]}" PREPWRAP="/usr/bin/time -f rss_kib=%M" bash "$H/run-in-initrd.sh" "$S" "$W/cmdline" | sed -n 's/^rss_kib=//p')
  printf 'peak RSS, %-9s  ours %6.2f MiB\n' "$mode" "$(echo "$rss / 1024" | bc -l)"
done

t() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(( (e - s) / 1000 )); }
# The ed25519 check of a signed commit: plan with composefs signed under strace -ttt, from the
# read of the commit's detached metadata to the measuring of the image (what lies between is
# parsing the commit and the signatures and verifying them: no system call). This kernel cannot
# measure fs-verity, so plan stops right after.
printf '[composefs]\nenabled=signed\nkeypath=%s\n' "$W/public" > "$W/signed.conf"
out=$("$OURS" plan --config "$W/signed.conf" "$S" "$(cat "$W/cmdline")" 2>&1 || true)
grep -q 'fs-verity of' <<< "$out" || { echo "bench: the signed plan did not get past the signature check: $out"; exit 1; }
ed=$(for i in $(seq "$RUNS"); do
  strace -ttt -e trace=openat,ioctl -o "$W/signed.trace" "$OURS" plan --config "$W/signed.conf" "$S" "$(cat "$W/cmdline")" >/dev/null 2>&1 || true
  awk '/\.commitmeta"/ {t0 = $1} /FS_IOC_MEASURE_VERITY|\.ostree\.cfs", O_RDONLY\|O_NOCTTY\|O_CLOEXEC/ {if (t0 && !t1) t1 = $1} END {printf "%d\n", (t1 - t0) * 1e6}' "$W/signed.trace"
done | median)
printf 'ed25519 check of a signed commit (parse + verify): %s ms   (median of %d)\n' "$ed" "$RUNS"

echo
printf 'binary: dist/prepare-root %.2f MiB, static: %s\n' "$(echo "$(stat -c %s "$OURS") / 1048576" | bc -l)" \
  "$(readelf --program-headers "$OURS" | grep -q INTERP && echo no || echo yes)"
echo "where the time goes (ours, median of $RUNS):"
for i in $(seq "$RUNS"); do t "$OURS" --version; done | median | xargs printf '  start-up (--version):             %6s ms\n'
for i in $(seq "$RUNS"); do t "$OURS" plan "$S" "$(cat "$W/cmdline")"; done | median | xargs printf '  start-up + read + plan (plan):    %6s ms\n'
for i in $(seq "$RUNS"); do t true; done | median | xargs printf '  fork+exec of /bin/true, for scale: %5s ms\n'
umount -R "$W"; rmdir "$W"
INNER
