#!/bin/bash
# mksysroot.sh SYSROOT TREE [deploy args...]: a real ostree sysroot made by `ostree admin deploy`
# (docs/testing.md), e.g. on an empty tmpfs mounted at SYSROOT. Prints the deployment's kernel
# command line (the `options` line of its BLS entry) as the last line of stdout.
# OSTREE: the ostree binary (default: the host's). COMMIT_ARGS: extra `ostree commit` arguments,
# one per line (e.g. --add-metadata=...).
set -euo pipefail
S=${1:?usage: mksysroot.sh SYSROOT TREE [deploy args...]} T=${2:?usage: mksysroot.sh SYSROOT TREE [deploy args...]}
shift 2
OSTREE=${OSTREE:-ostree}
OS=probeos REF=probeos/x86_64/stable
# ostree's chatter goes to a log that is shown only if a step fails, so stdout stays the cmdline.
LOG=$(mktemp /tmp/mksysroot-log.XXXXXX)
trap 'rm -f "$LOG"' EXIT
step() { "$@" >>"$LOG" 2>&1 || { rc=$?; echo "mksysroot: failed ($rc): $*" >&2; cat "$LOG" >&2; exit "$rc"; }; }
mkdir -p "$S"   # init-fs needs an existing directory
# --modern: only boot/ and ostree/ at the top (no dev proc run …), like a real installer leaves.
step "$OSTREE" admin init-fs --modern "$S"
step "$OSTREE" admin os-init --sysroot="$S" "$OS"
# No bootloader integration: deploy only writes the BLS entries under boot/loader.
step "$OSTREE" --repo="$S/ostree/repo" config set sysroot.bootloader none
extra=()
if [ -n "${COMMIT_ARGS:-}" ]; then while IFS= read -r a; do extra+=("$a"); done <<< "$COMMIT_ARGS"; fi
# A fixed timestamp (and no mtimes in bare repos) makes the commit checksum deterministic.
step "$OSTREE" --repo="$S/ostree/repo" commit --branch="$REF" --tree=dir="$T" --subject=probe \
  --timestamp=2024-01-01T00:00:00Z "${extra[@]}"
# Explicit kargs: without any, deploy would inherit the previous deployment's (or with
# --karg-proc-cmdline copy the host's /proc/cmdline) into the entry.
step "$OSTREE" admin deploy --sysroot="$S" --os="$OS" --karg=root=LABEL=probe-root --karg=rw "$@" "$REF"
# The new (default) deployment's entry is the one with the highest `version`.
entry=$(grep -l "^version $(sed -n 's/^version //p' "$S"/boot/loader/entries/*.conf | sort -n | tail -1)\$" \
  "$S"/boot/loader/entries/*.conf | head -1)
sed -n 's/^options //p' "$entry"
