#!/bin/bash
# npm run bench: prepare-root against the reference ostree-prepare-root 2026.4, like for like:
# every row runs the same config on the same fixture (a sysroot made by `ostree admin deploy` on
# an ext4 filesystem, as at a real boot, its deployment with a composefs image) for both
# binaries, in the same fake-initramfs harness, interleaved in one run, RUNS times each. Prints
# medians and ratios. Modes only prepare-root has get rows of their own, labelled, against our
# legacy prepare on the same fixture. Then the peak RSS of a prepare, the ed25519 check of a
# signed commit, start-up, and the binary's size. Needs root, `npm run build` and
# scripts/fetch-reference.sh. A benchmark, not a test: it asserts nothing.
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
# Each fixture on its own ext4 image (a loop device that clears itself once unmounted).
ext4() { truncate -s 256M "$W/$1.img"; mkfs.ext4 -q "$W/$1.img"; mkdir "$W/$1"; mount -o loop "$W/$1.img" "$W/$1"; }
ext4 sysroot; S=$W/sysroot
bash "$H/mktree.sh" "$W/tree" > /dev/null
# A signed commit with a composefs digest (of any 32 bytes: the signature check comes first).
digest="[$(for i in $(seq 32); do printf 'byte 0x%02x, ' "$i"; done | sed 's/, $//')]"
COMMIT_ARGS="--add-metadata=ostree.composefs.digest.v0=$digest" bash "$H/mksysroot.sh" "$S" "$W/tree" > "$W/cmdline"
D=$(realpath "$S"/ostree/deploy/probeos/deploy/*.0)
chattr -i "$D"; bash "$H/mkcfs.sh" "$S/ostree/repo" probeos/x86_64/stable "$D/.ostree.cfs" > /dev/null; chattr +i "$D"
bash "$H/sign-commit.sh" "$S/ostree/repo" "$(basename "$D" .0)" "$W/secret" "$W/public"
ext4 plain; bash "$H/mkplain.sh" "$W/plain"; echo 'root=LABEL=plain-root rw' > "$W/plain-cmdline"

# Rows: name, fixture (ostree or plain), config. Like for like first, then ours only.
LIKE=(
  'legacy (no config)|ostree|'
  'composefs enabled=yes|ostree|[composefs]\nenabled=yes\n'
  'composefs + root.transient|ostree|[composefs]\nenabled=yes\n[root]\ntransient=true\n'
  'composefs + etc.transient|ostree|[composefs]\nenabled=yes\n[etc]\ntransient=true\n'
)
OURS_ONLY=(
  'root.transient without composefs|ostree|[root]\ntransient=true\n'
  'plain root, root.transient|plain|[root]\ntransient=true\n'
  'plain root, / /etc /var transient|plain|[root]\ntransient=true\n[etc]\ntransient=true\n[var]\ntransient=true\n'
)

section() { awk -v want="=== $1" '/^=== / {on = ($0 == want); next} on'; }
median() { sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.2f", m / 1000}'; }

# run IMPL FIXTURE CONF [WRAP]: one prepare in a fresh fake initramfs; prints the harness's output.
run() {
  local impl=$1 fixture=$2 conf=$3 wrap=${4:-} env=()
  if [ "$impl" = ours ]; then env=(PREP="$OURS"); else env=(PREP="$REF/ostree-prepare-root" PREPLIB="$REF/lib"); fi
  if [ -n "$conf" ]; then
    printf "$conf" > "$W/conf"
    if [ "$fixture" = plain ]; then env+=(PLAINCONF="$W/conf"); else env+=(PREPCONF="$W/conf"); fi
  fi
  [ -n "$wrap" ] && env+=(PREPWRAP="$wrap")
  local root=$S cmdline=$W/cmdline
  [ "$fixture" = plain ] && root=$W/plain cmdline=$W/plain-cmdline
  env "${env[@]}" bash "$H/run-in-initrd.sh" "$root" "$cmdline"
}

# One timing of IMPL on ROW, appended to its file.
time_row() {
  local impl=$1 row=$2 name fixture conf out
  IFS='|' read -r name fixture conf <<< "$row"
  out=$(run "$impl" "$fixture" "$conf")
  [ "$(section rc <<< "$out")" = 0 ] || { echo "bench: $impl, $name failed:"; echo "$out"; exit 1; }
  section elapsed_us <<< "$out" >> "$W/t.$impl.$(echo "$name" | tr -c 'a-z0-9' _)"
}
file() { echo "$W/t.$1.$(echo "$2" | tr -c 'a-z0-9' _)"; }

for i in $(seq "$RUNS"); do
  for row in "${LIKE[@]}"; do time_row ours "$row"; time_row ref "$row"; done
  for row in "${OURS_ONLY[@]}"; do time_row ours "$row"; done
done

echo "Wall time of a prepare (process start to exit), median of $RUNS interleaved runs each, on ext4:"
printf '  %-34s %10s %12s %7s\n' 'like for like' 'ours' 'ostree 2026.4' 'ratio'
for row in "${LIKE[@]}"; do
  IFS='|' read -r name _ _ <<< "$row"
  o=$(median < "$(file ours "$name")"); r=$(median < "$(file ref "$name")")
  printf '  %-34s %7s ms %9s ms %6.2fx\n' "$name" "$o" "$r" "$(echo "$o / $r" | bc -l)"
done
legacy=$(median < "$(file ours 'legacy (no config)')")
printf '  %-34s %10s %12s %7s\n' 'ours only (vs our legacy prepare)' 'ours' 'our legacy' 'ratio'
for row in "${OURS_ONLY[@]}"; do
  IFS='|' read -r name _ _ <<< "$row"
  o=$(median < "$(file ours "$name")")
  printf '  %-34s %7s ms %9s ms %6.2fx\n' "$name" "$o" "$legacy" "$(echo "$o / $legacy" | bc -l)"
done

# Peak RSS of a whole prepare, as the kernel accounts it (GNU time's %M, in KiB).
echo
echo 'Peak RSS of a prepare:'
for row in "${LIKE[@]}"; do
  IFS='|' read -r name fixture conf <<< "$row"
  rss() { run "$1" "$fixture" "$conf" '/usr/bin/time -f rss_kib=%M' | sed -n 's/^rss_kib=//p'; }
  printf '  %-34s ours %5.2f MiB   ostree 2026.4 %5.2f MiB\n' "$name" "$(echo "$(rss ours) / 1024" | bc -l)" "$(echo "$(rss ref) / 1024" | bc -l)"
done

t() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(( (e - s) / 1000 )); }
# The ed25519 check of a signed commit: plan with composefs signed under strace -ttt, from the
# read of the commit's detached metadata to the measuring of the image (what lies between is
# parsing the commit and the signatures and verifying them: no system call). This kernel has no
# fs-verity, so neither binary can prepare a signed (or verity) root here: no like-for-like row.
echo
printf '[composefs]\nenabled=signed\nkeypath=%s\n' "$W/public" > "$W/signed.conf"
out=$("$OURS" plan --config "$W/signed.conf" "$S" "$(cat "$W/cmdline")" 2>&1 || true)
grep -q 'fs-verity of' <<< "$out" || { echo "bench: the signed plan did not get past the signature check: $out"; exit 1; }
ed=$(for i in $(seq "$RUNS"); do
  strace -ttt -e trace=openat,ioctl -o "$W/signed.trace" "$OURS" plan --config "$W/signed.conf" "$S" "$(cat "$W/cmdline")" >/dev/null 2>&1 || true
  awk '/\.commitmeta"/ {t0 = $1} /FS_IOC_MEASURE_VERITY|\.ostree\.cfs", O_RDONLY\|O_NOCTTY\|O_CLOEXEC/ {if (t0 && !t1) t1 = $1} END {printf "%d\n", (t1 - t0) * 1e6}' "$W/signed.trace"
done | median)
printf 'ed25519 check of a signed commit (parse + verify), ours: %s ms   (median of %d)\n' "$ed" "$RUNS"

echo
printf 'binary: dist/prepare-root %.2f MiB, static: %s\n' "$(echo "$(stat -c %s "$OURS") / 1048576" | bc -l)" \
  "$(readelf --program-headers "$OURS" | grep -q INTERP && echo no || echo yes)"
# Start-up: what `--version` costs over a static C program that does nothing, both timed the same
# way (fork, exec, exit), interleaved.
printf 'int main(void) { return 0; }\n' > "$W/empty.c"; gcc -O2 -static -o "$W/empty" "$W/empty.c"
for i in $(seq "$RUNS"); do t "$OURS" --version >> "$W/t.version"; t "$W/empty" >> "$W/t.empty"; done
v=$(median < "$W/t.version"); e=$(median < "$W/t.empty")
echo "start-up, wall time with fork and exec (median of $RUNS, interleaved):"
printf '  prepare-root --version:            %6s ms\n' "$v"
printf '  static empty C program:            %6s ms\n' "$e"
printf '  start-up (the difference):         %6.2f ms\n' "$(echo "$v - $e" | bc -l)"
umount -R "$W"; rmdir "$W"
INNER
