#!/bin/bash
# mkcfs.sh REPO REF OUT: a composefs-style EROFS image of an ostree commit made with stock
# mkfs.erofs (fixtures.md §4.4): sparse placeholders with trusted.overlay.redirect/metacopy
# pointing at the bare repo's objects, an empty /etc, and the libcomposefs header, so that
# ostree-prepare-root with libcomposefs mounts it. No paths with spaces, no xattrs.
set -euo pipefail
REPO=$1 REF=$2 OUT=$3
ST=$(mktemp -d)
trap 'rm -rf "$ST"' EXIT
ostree --repo="$REPO" ls -R -C "$REF" | while read -r mode uid gid size csum rest; do
  case $mode in
    d*) path=${rest#* }; mkdir -p "$ST$path" ;;
    l*) path=${rest%% -> *}; ln -s "${rest#* -> }" "$ST$path" ;;
    -*) path=$rest; truncate -s "$size" "$ST$path"
        setfattr -n trusted.overlay.redirect -v "/${csum:0:2}/${csum:2}.file" "$ST$path"
        setfattr -n trusted.overlay.metacopy "$ST$path" ;;
  esac
  [ "${mode:0:1}" = l ] || chmod "${mode:1}" "$ST$path"
  chown -h "$uid:$gid" "$ST$path"
done
mkdir -p "$ST/etc"
# mkfs.erofs --chunksize writes through an O_TMPFILE in /tmp: the image must be on /tmp's fs first.
TMPIMG=$(mktemp /tmp/mkcfs.XXXXXX)
mkfs.erofs --quiet --chunksize=4096 -T0 -U 00000000-0000-0000-0000-000000000000 "$TMPIMG" "$ST"
printf '\x9a\x62\x78\xd0\x01\x00\x00\x00' | dd of="$TMPIMG" bs=1 seek=0 conv=notrunc status=none
cp "$TMPIMG" "$OUT"; rm -f "$TMPIMG"
