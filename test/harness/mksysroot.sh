#!/bin/bash
# mksysroot.sh SYSROOT TREE [deploy args...]: a real ostree sysroot made by `ostree admin deploy`
# (fixtures.md §2). Prints the deployment's kernel command line (its BLS options line) last.
# COMMIT_ARGS: extra `ostree commit` arguments, one per line (e.g. --add-metadata=...).
set -euo pipefail
S=$1 T=$2; shift 2
OS=probeos REF=probeos/x86_64/stable
mkdir -p "$S"
ostree admin init-fs --modern "$S" >/dev/null
ostree admin os-init --sysroot="$S" "$OS" >/dev/null
ostree --repo="$S/ostree/repo" config set sysroot.bootloader none
extra=()
if [ -n "${COMMIT_ARGS:-}" ]; then while IFS= read -r a; do extra+=("$a"); done <<< "$COMMIT_ARGS"; fi
ostree --repo="$S/ostree/repo" commit --branch="$REF" --tree=dir="$T" --subject=probe --timestamp=2024-01-01T00:00:00Z "${extra[@]}" >/dev/null
# Explicit kargs: without them deploy would copy the host's /proc/cmdline into the entry.
ostree admin deploy --sysroot="$S" --os="$OS" --karg=root=LABEL=probe-root --karg=rw "$@" "$REF" >/dev/null 2>&1
sed -n 's/^options //p' "$S"/boot/loader/entries/*.conf | head -1
