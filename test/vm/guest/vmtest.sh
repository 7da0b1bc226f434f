#!/bin/bash
# Runs in the booted guest (vmtest.service): reports what the boot produced as "key: value"
# lines, does the step the host asked for on the kernel command line (vmtest.step=write: leave
# markers in /usr, /etc, /var and the persisted paths; vmtest.step=selinux: create a file in / and
# one in /etc and report their labels next to what the policy gives, and write to two image files
# to report their labels after the copy-up), writes the report raw to the result disk (/dev/vdb)
# and the console, then powers off cleanly (so /var is flushed like a real reboot).
set -u
step=$(sed -n 's/.*vmtest\.step=\([^ ]*\).*/\1/p' /proc/cmdline)
MARKERS=(/usr/lib/vmtest-marker /etc/vmtest-marker /var/lib/vmtest-marker /etc/ssh/vmtest-marker /usr/local/data/vmtest-marker)
report() {
  echo "step: ${step:-none}"
  echo "boot-id: $(cat /proc/sys/kernel/random/boot_id)"
  echo "cmdline: $(cat /proc/cmdline)"
  for m in / /usr /etc /var /sysroot /etc/ssh /usr/local /usr/local/data; do
    echo "mount $m: $(findmnt -n -o FSTYPE,OPTIONS --mountpoint "$m" | tail -1)"
  done
  echo "ostree-booted: $([ -f /run/ostree-booted ] && echo present || echo absent)"
  # Left by an initrd unit ordered After=ostree-prepare-root.service, if the scenario added one.
  echo "initrd-order: $(cat /run/vmtest-order 2>/dev/null || echo none)"
  ostree admin status 2>&1 | sed 's/^/ostree-status: /'
  [ -x /usr/lib/prepare-root/prepare-root ] && echo "prepare-root-status: $(/usr/lib/prepare-root/prepare-root status --json 2>&1 | tr -d '\n')"
  for f in "${MARKERS[@]}"; do echo "marker $f: $(cat "$f" 2>/dev/null || echo missing)"; done
  # Kernel start to switch-root (the real root's systemd starting), and when the initrd began.
  echo "journald: $(systemctl is-active systemd-journald)"
  echo "failed-units: $(systemctl --failed --plain --no-legend | awk '{print $1}' | tr '\n' ' ')"
  echo "userspace-usec: $(systemctl show -P UserspaceTimestampMonotonic)"
  echo "initrd-usec: $(systemctl show -P InitRDTimestampMonotonic)"
  journalctl -b -o short-monotonic --no-pager 2>/dev/null | grep -E 'prepare-root|Prepare OS' | sed 's/^/journal: /'
  [ -d /sys/fs/selinux ] && selinux_report
  # Lines of a guest-specific reporter ordered before this one (the plain guest's plain-report.sh).
  [ -f /run/vmtest-extra ] && cat /run/vmtest-extra
}
# SELinux (booted with security=selinux): the mode, our own context, the labels of the roots, and
# every AVC denial the kernel logged this boot.
selinux_report() {
  echo "selinux: $(getenforce 2>&1)"
  echo "context: $(id -Z)"
  for p in / /etc /usr /var /usr/etc; do
    echo "label $p: $(stat -c %C "$p")"
    echo "fcontext $p: $(matchpathcon -n "$p")"   # the policy's label for that path
  done
  if [ "$step" = selinux ]; then
    for f in /vmtest-new-file /etc/vmtest-new-file; do
      : > "$f"
      echo "label $f: $(stat -c %C "$f")"
      # What the policy gives a file this process creates in that directory.
      echo "policy $f: $(compute_create "$(id -Z)" "$(stat -c %C "$(dirname "$f")")" file)"
    done
    # An image file written to is copied up into the tmpfs upper: it must keep the image's label.
    for f in /usr/lib/os-release /etc/hostname; do
      echo "image-label $f: $(stat -c %C "$f")"
      echo "# vmtest" >> "$f"
      echo "label $f: $(stat -c %C "$f")"
    done
  fi
  journalctl -k -b --no-pager -o cat 2>/dev/null | grep 'avc:  denied' | sed 's/^/avc: /'
  [ -d /run/ostree/.private/root/upper ] &&
    find /run/ostree/.private/root/upper -mindepth 1 -maxdepth 3 -printf 'upper-entry %P %Z\n' | head -50
}
out=$(report)
if [ "$step" = write ]; then
  for f in "${MARKERS[@]}"; do
    mkdir -p "$(dirname "$f")" 2>/dev/null
    echo "written in boot $(cat /proc/sys/kernel/random/boot_id)" > "$f" 2>/dev/null && out+=$'\n'"wrote $f" || out+=$'\n'"could not write $f"
  done
fi
out+=$'\n'"VMTEST-RESULT: DONE"
# The result disk is the second virtio disk, after the root; with the root on NVMe (a boot
# without an initramfs, qemu.sh DISK_IF=nvme) it is the first.
result=/dev/vdb; [ -b /dev/nvme0n1 ] && result=/dev/vda
{ printf '%s\n' "$out"; printf '\0'; } | dd of="$result" conv=fsync status=none
printf '%s\n' "$out" > /dev/console
systemctl poweroff --no-block
