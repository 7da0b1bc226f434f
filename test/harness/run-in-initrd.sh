#!/bin/bash
# run-in-initrd.sh SYSROOT CMDLINE_FILE: run one prepare-root implementation on SYSROOT the way
# an initramfs does, inside a fresh private mount namespace: a tmpfs "initramfs" root with the
# host's /usr (read-only) and /dev, a fresh /proc with CMDLINE_FILE over /proc/cmdline, an empty
# /run tmpfs, SYSROOT bound at /sysroot, then pivot_root into it (docs/testing.md). Nothing
# leaks to the host: every mount dies with the namespace.
#
# Environment:
#   PREP            binary to run (required)          PREPLIB   LD_LIBRARY_PATH dir for it
#   PREPCONF        file → /etc/ostree/prepare-root.conf of the fake root
#   PREPCONF_USR    file → /usr/lib/ostree/prepare-root.conf of the fake root
#   PLAINCONF       file → /etc/prepare-root/prepare-root.conf (a plain root's config)
#   KEYFILE         file → /etc/ostree/initramfs-root-binding.key of the fake root
#   PREPARGV0       argv[0] for the binary (default /usr/lib/ostree/ostree-prepare-root)
#   PREPARGS        extra arguments after /sysroot, one per line (a whole kernel command line
#                   is one line: 2026.4 takes argv[2] instead of /proc/cmdline)
#   MOUNT_VAR=1     create /run/ostree/initramfs-mount-var first
#   PRE_RUN_OSTREE=1  create an empty /run/ostree (0755) first
#   PRE             shell run in the fake root before the binary (e.g. to break something)
#   PREPWRAP        command line the binary runs under (e.g. strace --inject=... for fault injection)
#   CHECK           shell run after the binary
#   TOOL            another binary, bound at /prep/tool (e.g. ours, to inspect the reference's work)
#   PIVOT=1         exec the binary last with --pivot (pivot mode replaces the harness's root)
#   PID1=1          run the binary last as PID 1 of a new PID namespace, without --pivot, its
#                   stdin (console) the file PID1_CONSOLE (default empty); killed with its namespace
#                   after PID1_SECONDS (default 120); section `=== pid1-exit` has the exit status
#                   (137: it was still running: PID 1 held)
# Output on stdout, in sections: `=== rc`, `=== stdout`, `=== stderr`, `=== mounts` (the
# /sysroot tree), `=== fsoptions` (its filesystem options), `=== all-mounts` (every mount in
# the namespace), `=== run` (listing of /run), `=== ostree-booted` (hex or `absent`),
# `=== check`, `=== elapsed_us`; /dev/kmsg is /tmp/kmsg. 64-hex checksums read CSUM. Exits 0 whatever the binary did.
set -euo pipefail
SYSROOT=$(realpath "$1") CMDLINE=$(realpath "$2")
: "${PREP:?PREP must name the binary to run}"
PREP=$(realpath "$PREP")
R=$(mktemp -d /tmp/prepare-root-initrd.XXXXXX)
trap 'rmdir "$R" 2>/dev/null || true' EXIT
export SYSROOT CMDLINE PREP R
unshare --mount --propagation private --fork /bin/bash -s <<'INNER'
set -euo pipefail
mount -t tmpfs -o mode=0755 fakeinitrd "$R"
mkdir -p "$R"/{usr,proc,run,sysroot,dev,tmp,oldroot,etc/ostree,prep,harness}
ln -s usr/bin "$R/bin"; ln -s usr/sbin "$R/sbin"; ln -s usr/lib "$R/lib"; ln -s usr/lib64 "$R/lib64"
if [ -n "${PREPCONF_USR:-}" ]; then
  # Add /usr/lib/ostree/prepare-root.conf without touching the host's /usr: an overlay of a small
  # dir over it (the host may not even have /usr/lib/ostree). With lower layers only, overlayfs is
  # read-only by construction; submounts of the host's /usr (normally none) are not carried over.
  mkdir -p "$R/tmp/usrconf/lib/ostree"
  cp "$PREPCONF_USR" "$R/tmp/usrconf/lib/ostree/prepare-root.conf"
  mount -t overlay -o "lowerdir=$R/tmp/usrconf:/usr" usrconf "$R/usr"
else
  mount --rbind /usr "$R/usr"
fi
[ -n "${PREPCONF_USR:-}" ] || mount -o remount,bind,ro "$R/usr"
mount --rbind /dev "$R/dev"
# Keep the host's kernel log clean: /dev/kmsg of the fake root is a file the test can read.
touch "$R/tmp/kmsg"; mount --bind "$R/tmp/kmsg" "$R/dev/kmsg"
# A fresh proc (mountinfo of this namespace), with the fixture cmdline instead of the host's.
mount -t proc proc "$R/proc"
mount --bind "$CMDLINE" "$R/proc/cmdline"
# An empty /run, as in an initramfs: /run/ostree-booted and /run/ostree must never reach the host.
mount -t tmpfs -o mode=0755 run "$R/run"
# Both leave /run/ostree existing before the run (which 2026.4 refuses: mkdir EEXIST is fatal).
[ "${MOUNT_VAR:-0}" = 1 ] && { mkdir -p "$R/run/ostree"; touch "$R/run/ostree/initramfs-mount-var"; }
[ "${PRE_RUN_OSTREE:-0}" = 1 ] && mkdir -p -m 0755 "$R/run/ostree"
[ -n "${PREPCONF:-}" ] && cp "$PREPCONF" "$R/etc/ostree/prepare-root.conf"
[ -n "${PLAINCONF:-}" ] && { mkdir -p "$R/etc/prepare-root"; cp "$PLAINCONF" "$R/etc/prepare-root/prepare-root.conf"; }
[ -n "${KEYFILE:-}" ] && cp "$KEYFILE" "$R/etc/ostree/initramfs-root-binding.key"
if [ -n "${PID1_CONSOLE:-}" ]; then cp "$PID1_CONSOLE" "$R/tmp/console"; else : > "$R/tmp/console"; fi
# The implementation under test and its helpers, bound in at fixed paths under /prep.
touch "$R/prep/bin"; mount --bind "$PREP" "$R/prep/bin"
[ -n "${PREPLIB:-}" ] && { mkdir -p "$R/prep/lib"; mount --bind "$PREPLIB" "$R/prep/lib"; }
[ -n "${TOOL:-}" ] && { touch "$R/prep/tool"; mount --bind "$TOOL" "$R/prep/tool"; }
# /sysroot must be a mount point: prepare-root binds it into the new root and detaches the original.
mount --bind "$SYSROOT" "$R/sysroot"
# A real root, not a chroot: prepare-root mkdirs /sysroot.tmp on / and makes / rprivate. Dropping
# the old root leaves the fake initramfs the only tree the binary can see or change.
cd "$R"; pivot_root . oldroot
# -n: from here on /run is the fake one, and libmount would leave a /run/mount (utab) in it.
umount -n -l /oldroot; rmdir /oldroot
cd /
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
[ -n "${PREPLIB:-}" ] && export LD_LIBRARY_PATH=/prep/lib
args=()
if [ -n "${PREPARGS:-}" ]; then while IFS= read -r a; do args+=("$a"); done <<< "$PREPARGS"; fi
[ -n "${PRE:-}" ] && bash -c "$PRE"
csum() { sed -E 's/[0-9a-f]{64}/CSUM/g'; }
if [ "${PIVOT:-0}" = 1 ]; then
  echo "=== pivot"
  exec /prep/bin --pivot /sysroot "${args[@]}" 2>&1
fi
if [ "${PID1:-0}" = 1 ]; then
  echo "=== pivot"
  rc=0
  timeout -s KILL "${PID1_SECONDS:-120}" unshare --pid --fork --kill-child /prep/bin /sysroot "${args[@]}" \
    < /tmp/console 2>&1 || rc=$?
  echo "=== pid1-exit"; echo "$rc"
  exit 0
fi
# The binary's stdout and stderr go to files in the fake root's /tmp and become sections below.
t0=$(date +%s%N); rc=0
# argv[0] as systemd gives it in a real initramfs: the reference prefixes its errors with the
# basename of argv[0] ("ostree-prepare-root: ..."), which would otherwise read "bin: ...".
if [ -n "${PREPWRAP:-}" ]; then
  # shellcheck disable=SC2086 # the wrapper is a command line of its own
  $PREPWRAP /prep/bin /sysroot "${args[@]}" >/tmp/stdout 2>/tmp/stderr || rc=$?
else
  (exec -a "${PREPARGV0:-/usr/lib/ostree/ostree-prepare-root}" /prep/bin /sysroot "${args[@]}") >/tmp/stdout 2>/tmp/stderr || rc=$?
fi
t1=$(date +%s%N)
unset LD_LIBRARY_PATH; export PATH=/usr/sbin:/usr/bin:/sbin:/bin
echo "=== rc"; echo "$rc"
echo "=== stdout"; csum < /tmp/stdout
echo "=== stderr"; csum < /tmp/stderr
echo "=== mounts"; findmnt -R -n -r -o TARGET,FSROOT,FSTYPE,VFS-OPTIONS,PROPAGATION /sysroot | csum || true
echo "=== fsoptions"; findmnt -R -n -r -o TARGET,FSTYPE,FS-OPTIONS /sysroot | csum || true
echo "=== all-mounts"; findmnt -n -r -o TARGET,FSROOT,FSTYPE,VFS-OPTIONS | csum
echo "=== run"; find /run -printf '%M %p\n' | sort -k2
echo "=== ostree-booted"
if [ -f /run/ostree-booted ]; then od -An -tx1 -v /run/ostree-booted | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'; echo; else echo absent; fi
echo "=== check"; [ -n "${CHECK:-}" ] && { bash -c "$CHECK" 2>&1 | csum || true; }
echo "=== elapsed_us"; echo $(( (t1 - t0) / 1000 ))
INNER
