#!/bin/sh
# dracut without systemd (last cleanup hook, sourced by PID 1 just before it would switch root
# itself): prepare $NEWROOT and hand over in pivot mode, replacing init: switch_root moves /proc,
# /sys, /dev and /run (with /run/ostree-booted) into the new root and executes its init.
# First what dracut's init does right before its own switch_root: stop the initramfs udevd, so
# the real root's starts clean. Only when something is asked for: an ostree boot, or a plain root
# with a config or rd.prepare-root= (otherwise dracut switches root itself, as without us).
if getargbool 0 ostree || getarg ostree= >/dev/null || getarg rd.prepare-root= >/dev/null ||
    [ -e /etc/prepare-root/prepare-root.conf ] || [ -e /usr/lib/prepare-root/prepare-root.conf ]; then
    udevadm control --exit
    udevadm info --cleanup-db
    exec /usr/lib/prepare-root/prepare-root --pivot --init "${init:-/sbin/init}" "${NEWROOT:-/sysroot}"
fi
