#!/bin/sh
# dracut without systemd (pre-pivot hook, sourced by PID 1): prepare $NEWROOT and hand over in
# pivot mode, replacing init: switch_root moves /proc, /sys, /dev and /run (with
# /run/ostree-booted) into the new root and executes its init.
if getargbool 0 ostree || getarg ostree= >/dev/null; then
    exec /usr/lib/prepare-root/prepare-root --pivot --init "${init:-/sbin/init}" "${NEWROOT:-/sysroot}"
fi
