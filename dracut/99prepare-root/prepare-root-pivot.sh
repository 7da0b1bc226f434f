#!/bin/sh
# dracut without systemd (last cleanup hook, sourced by PID 1 just before it would switch root
# itself): prepare $NEWROOT and hand over in pivot mode, replacing init: switch_root moves /proc,
# /sys, /dev and /run (with /run/ostree-booted) into the new root and executes its init.
# Only when something is asked for: an ostree boot, or a plain root with a config or
# rd.prepare-root= (otherwise dracut switches root itself, as without us).
if getargbool 0 ostree || getarg ostree= >/dev/null || getarg rd.prepare-root= >/dev/null ||
    [ -e /etc/prepare-root/prepare-root.conf ] || [ -e /usr/lib/prepare-root/prepare-root.conf ]; then
    # Prepare as a child first: a failure must not end PID 1 (a kernel panic instead of the
    # error). Its line is on the console; dracut's emergency shell follows (or, with rd.shell=0,
    # dracut's rd.emergency action), and exiting the shell tries again.
    until /usr/lib/prepare-root/prepare-root --init "${init:-/sbin/init}" "${NEWROOT:-/sysroot}"; do
        emergency_shell -n prepare-root "prepare-root could not prepare ${NEWROOT:-/sysroot} (the line above says why): fix the cause and exit this shell to try again, or reboot and add rd.prepare-root=off (a plain root) or pick the previous deployment (ostree)"
    done
    # What dracut's init does right before its own switch_root: stop the initramfs udevd, so
    # the real root's starts clean. Then the hand-over: the root is prepared, so this run only
    # switches root (it fails only if init is missing, and then PID 1 holds with the message).
    udevadm control --exit
    udevadm info --cleanup-db
    exec /usr/lib/prepare-root/prepare-root --pivot --init "${init:-/sbin/init}" "${NEWROOT:-/sysroot}"
fi
