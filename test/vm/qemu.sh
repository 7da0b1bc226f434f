#!/bin/bash
# qemu.sh KERNEL INITRD DISK OUT_DIR APPEND [EXTRA]: boot once (TCG unless real VT-x/AMD-V is usable:
# a /dev/kvm without vmx or svm, as a paravirtualised kvm_pvm, cannot run a guest), DISK (raw or qcow2) as
# /dev/vda, a fresh 1 MiB raw result disk as /dev/vdb, EXTRA (raw) as /dev/vdc. Leaves OUT_DIR/{serial.log,result.txt,
# qemu.err} and prints "<exit code> <wall seconds>". A hung guest is killed after VM_TIMEOUT s.
# INITRD empty: no initramfs at all. DISK_IF=nvme: DISK as /dev/nvme0n1 (a driver Debian's cloud
# kernel has built in, which a boot without an initramfs needs; virtio-blk is a module there).
# CONSOLE_WAIT / CONSOLE_SEND: once the console shows CONSOLE_WAIT, type CONSOLE_SEND (a line) on
# it, e.g. into an emergency shell's prompt; otherwise the console gets no input.
set -euo pipefail
KERNEL=$1 INITRD=$2 DISK=$3 OUT=$4 APPEND=$5 EXTRA=${6:-}
mkdir -p "$OUT"
ACCEL=tcg; grep -qwE 'vmx|svm' /proc/cpuinfo && [ -w /dev/kvm ] && ACCEL=kvm
FORMAT=raw; [[ $DISK == *.qcow2 ]] && FORMAT=qcow2
rm -f "$OUT/result.img"; truncate -s 1M "$OUT/result.img"
start=$EPOCHREALTIME
# The console's input: a FIFO held open read-write here, so qemu never sees its end.
rm -f "$OUT/console.in"; mkfifo "$OUT/console.in"; exec 3<> "$OUT/console.in"
: > "$OUT/serial.log"
watcher=
if [ -n "${CONSOLE_SEND:-}" ]; then
  (until grep -qF -- "$CONSOLE_WAIT" "$OUT/serial.log" 2>/dev/null; do sleep 1; done
   printf '%s\n' "$CONSOLE_SEND" >&3) &
  watcher=$!
fi
root_disk=(-drive "file=$DISK,format=$FORMAT,if=virtio,cache=unsafe")
[ "${DISK_IF:-virtio}" = nvme ] &&
  root_disk=(-drive "file=$DISK,format=$FORMAT,if=none,id=root,cache=unsafe" -device nvme,drive=root,serial=vmtest-root)
set +e
timeout --signal=KILL "${VM_TIMEOUT:-300}" qemu-system-x86_64 -machine q35 -accel "$ACCEL" -m "${VM_MEMORY:-1536}" -smp 1 \
  -display none -monitor none -serial stdio -no-reboot -nic none \
  -bios /usr/share/qemu/qboot.rom -kernel "$KERNEL" ${INITRD:+-initrd "$INITRD"} -append "$APPEND" \
  "${root_disk[@]}" -drive "file=$OUT/result.img,format=raw,if=virtio" \
  ${EXTRA:+-drive "file=$EXTRA,format=raw,if=virtio,cache=unsafe"} \
  <&3 > "$OUT/serial.log" 2> "$OUT/qemu.err"
rc=$?
set -e
[ -z "$watcher" ] || kill "$watcher" 2>/dev/null || true
exec 3>&-; rm -f "$OUT/console.in"
tr -d '\0' < "$OUT/result.img" > "$OUT/result.txt"
rm -f "$OUT/result.img"
awk -v a="$start" -v b="$EPOCHREALTIME" -v rc="$rc" 'BEGIN { printf "%d %.1f\n", rc, b - a }'
