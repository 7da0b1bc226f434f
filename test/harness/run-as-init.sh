#!/bin/bash
# run-as-init.sh ROOT [ARG...]: boot the plain root ROOT (a directory on a disk filesystem, as
# the kernel's root= is; test/harness/mkplain.sh makes one) with our binary as the kernel's init
# and no initramfs: in a private mount namespace, ROOT is bound onto itself (a mount, as the
# kernel's root is), read-only with RO=1, our binary is bound at
# /usr/lib/prepare-root/prepare-root in it, and that runs as PID 1 of a new PID namespace,
# chrooted into ROOT, with ARGs as the kernel would pass them. Its console (stdin) is the file
# CONSOLE (default empty); it is killed with its namespace after SECONDS_LIMIT (default 60).
# The kernel command line it reads is the host's (/proc/cmdline has no per-namespace copy):
# what differs is set by ROOT's config. Output: what PID 1 and the init it executes print, then
# `=== pid1-exit` and its status (137: still running when killed, i.e. it held).
# RO=1: the root read-only (the kernel's default). PROC=1: /proc mounted before we start.
# STDIO=closed: no fds 0-2 (what PID 1 then prints goes to the host's /dev/console).
# Nothing on the host changes: every mount dies with the namespace, and ROOT is only read (but
# for the file the binary is bound on, made if the fixture lacks it). Our messages to /dev/kmsg
# reach the host's kernel log: the devtmpfs we mount is the kernel's one.
set -euo pipefail
ROOT=$(realpath "$1"); shift
HERE=$(cd "$(dirname "$0")" && pwd)
PREP=$(realpath "${PREP:-$HERE/../../dist/prepare-root}")
CONSOLE=${CONSOLE:-/dev/null}
export ROOT PREP CONSOLE
unshare --mount --propagation private --fork /bin/bash -s "$@" <<'INNER'
set -euo pipefail
mount --bind "$ROOT" "$ROOT"
[ -e "$ROOT/usr/lib/prepare-root/prepare-root" ] || { mkdir -p "$ROOT/usr/lib/prepare-root"; touch "$ROOT/usr/lib/prepare-root/prepare-root"; }
mount --bind "$PREP" "$ROOT/usr/lib/prepare-root/prepare-root"
[ "${RO:-0}" = 1 ] && mount -o remount,bind,ro "$ROOT"
# PROC=1: /proc is mounted already, as when an initramfs prepared the root and executed init=.
[ "${PROC:-0}" = 1 ] && mount -t proc proc "$ROOT/proc"
rc=0
# STDIO=closed: PID 1 without fds 0-2, as the kernel starts it when it found no console; they
# are closed by the root's busybox as it becomes us (unshare would fill a closed one with a pipe).
close=()
[ "${STDIO:-}" = closed ] && close=(/usr/bin/busybox sh -c 'exec "$0" "$@" <&- >&- 2>&-')
timeout -s KILL "${SECONDS_LIMIT:-60}" unshare --pid --fork --kill-child \
  chroot "$ROOT" "${close[@]}" /usr/lib/prepare-root/prepare-root "$@" < "$CONSOLE" 2>&1 || rc=$?
echo "=== pid1-exit"; echo "$rc"
INNER
