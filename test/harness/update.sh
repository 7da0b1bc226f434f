#!/bin/bash
# update.sh SYSROOT TREE VARIANT: an OS update, as ostree does it: commit tree VARIANT and deploy
# it (it becomes the default deployment). Prints the new deployment's kernel command line.
set -euo pipefail
S=$1 T=$2 VARIANT=$3
REF=probeos/x86_64/stable
bash "$(dirname "$0")/mktree.sh" "$T" "$VARIANT"
ostree --repo="$S/ostree/repo" commit --branch="$REF" --tree=dir="$T" --subject="update $VARIANT" --timestamp=2024-01-02T00:00:00Z >/dev/null
ostree admin deploy --sysroot="$S" --os=probeos --karg=root=LABEL=probe-root --karg=rw "$REF" >/dev/null 2>&1
# The newest deployment has the highest BLS version.
sed -n 's/^options //p' "$(grep -l "^version $(sed -n 's/^version //p' "$S"/boot/loader/entries/*.conf | sort -n | tail -1)$" "$S"/boot/loader/entries/*.conf)"
