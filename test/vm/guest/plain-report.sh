#!/bin/bash
# Runs in the plain (non-ostree) VM guest only (plain-report.service, ordered before
# vmtest.service): reports what a transient-root implementation left behind that vmtest.sh does
# not (the booted /etc/fstab next to the image's, overlayroot's log, the mounts under /media), as
# "key: value" lines in /run/vmtest-extra, which vmtest.sh adds to its report.
set -u
report() {
  # The image's fstab, copied aside by plain-guest-disk.sh (under /usr, which nothing rewrites).
  echo "fstab-sha256: $(sha256sum < /etc/fstab | cut -d' ' -f1)"
  echo "image-fstab-sha256: $(sha256sum < /usr/lib/vmtest/image-fstab | cut -d' ' -f1)"
  sed 's/^/fstab-line: /' /etc/fstab
  echo "root-source: $(findmnt -n -o SOURCE --mountpoint / | tail -1)"
  echo "upper-device-source: $(findmnt -n -o SOURCE --mountpoint /run/prepare-root/upper-device | tail -1)"
  for m in /media/root-ro /media/root-rw /run/prepare-root/physical-root; do
    echo "mount $m: $(findmnt -n -o FSTYPE,OPTIONS --mountpoint "$m" | tail -1)"
  done
  if [ -f /run/initramfs/overlayroot.log ]; then
    echo "overlayroot-log: present"
    sed 's/^/overlayroot-log-line: /' /run/initramfs/overlayroot.log
  else
    echo "overlayroot-log: absent"
  fi
  ls /run/initramfs 2>/dev/null | sed 's/^/run-initramfs-entry: /'
  # The login notice pam_motd shows (one line each), while something is transient.
  sed 's/^/login-notice: /' /run/motd.d/prepare-root 2>/dev/null
  # What late-writer.service wrote at the previous shutdown, into a volatile overlay.
  echo "late-write: $(cat /usr/local/vmtest-late-write 2>/dev/null || echo missing)"
  if grep -qw vmtest.man /proc/cmdline; then
    for page in prepare-root prepare-root.conf; do
      MANWIDTH=100 man -P cat "$page" > /run/vmtest-man.out 2> /run/vmtest-man.err
      echo "man $page: rc $?, $(wc -l < /run/vmtest-man.out) lines, NAME: $(sed -n '/^NAME/{n;s/^ *//;p;q}' /run/vmtest-man.out)"
      sed "s|^|man $page stderr: |" /run/vmtest-man.err
    done
  fi
  echo "plain-report: done"
}
report > /run/vmtest-extra
