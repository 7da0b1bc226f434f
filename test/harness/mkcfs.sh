#!/bin/bash
# mkcfs.sh REPO REF OUT: a composefs-style EROFS image of an ostree commit made with stock
# mkfs.erofs (docs/testing.md): sparse placeholders with trusted.overlay.redirect/metacopy
# pointing at the bare repo's objects, an empty /etc, and the libcomposefs header, so that
# ostree-prepare-root with libcomposefs mounts it. No file xattrs, unless XATTRS=1: then each
# entry carries the commit's own (its SELinux labels, as mkcomposefs from a labelled commit).
# DIGESTS=1: each metacopy xattr carries the object's fs-verity digest (computed in userspace by
# `fsverity digest`), as mkcomposefs --digest-store writes it: overlayfs with verity=require
# then reads a file only when its object has fs-verity enabled with exactly that digest.
# The placeholders are made in one Python process: a Debian tree has tens of thousands of files.
set -euo pipefail
REPO=$1 REF=$2 OUT=$3
ST=$(mktemp -d)
trap 'rm -rf "$ST"' EXIT
ostree --repo="$REPO" ls -R -C -X "$REF" > "$ST.list"
DIGESTS_FILE=/dev/null
if [ "${DIGESTS:-0}" = 1 ]; then
  DIGESTS_FILE=$ST.digests
  # One line per object: sha256:<digest> <path>; xargs batches many files per fsverity process.
  awk '$1 ~ /^-/ {print $5}' "$ST.list" | sort -u |
    awk -v r="$REPO" '{print r "/objects/" substr($1,1,2) "/" substr($1,3) ".file"}' |
    xargs -r fsverity digest > "$DIGESTS_FILE"
fi
XATTRS=${XATTRS:-0} /usr/bin/python3 - "$ST.list" "$DIGESTS_FILE" "$ST/tree" <<'PY'
import codecs, os, re, sys
listing, digests_file, root = sys.argv[1:]
keep_xattrs = os.environ['XATTRS'] == '1'
# `ostree ls -X` shows xattrs as GVariant text: { [(b'name', b'value' | [byte 0x.., ...]), ...] }
# (a b'' bytestring is the value without its trailing NUL).
XATTR = re.compile(r"\(b'((?:[^'\\]|\\.)*)', (?:b'((?:[^'\\]|\\.)*)'|\[([^\]]*)\])\)")
def xattrs_of(text):
    out = []
    for name, text_value, byte_list in XATTR.findall(text):
        if text_value or not byte_list:
            value = codecs.escape_decode(text_value)[0] + b'\0'
        else:
            value = bytes(int(b.split()[-1], 16) for b in byte_list.split(','))
        out.append((codecs.escape_decode(name)[0].decode(), value))
    return out
def split_xattrs(rest):
    # "<checksums...> { xattrs } <path>": the xattrs are between the first '{ ' and the last ' } '.
    head, _, tail = rest.partition(' { ')
    xattrs, _, path = tail.rpartition(' } ')
    return head.split(), xattrs, path
digests = {}
for line in open(digests_file):
    digest, path = line.split(None, 1)
    subdir, name = path.strip().split('/')[-2:]   # objects/ab/cdef….file → checksum abcdef…
    digests[subdir + name[:-len('.file')]] = bytes.fromhex(digest.split(':', 1)[1])
os.mkdir(root)
for line in open(listing):
    line = line.rstrip('\n')
    mode = line[0]
    perms, uid, gid, size, rest = line.split(None, 4)
    checksums, xattr_text, path = split_xattrs(rest)
    if mode == 'd':
        p = root + path
        os.makedirs(p, exist_ok=True)
    else:
        csum = checksums[0]
        if mode == 'l':
            path, target = path.split(' -> ', 1)
            p = root + path
            os.symlink(target, p)
        else:
            p = root + path
            with open(p, 'wb') as f:
                f.truncate(int(size))
            os.setxattr(p, 'trusted.overlay.redirect', f'/{csum[:2]}/{csum[2:]}.file'.encode())
            # struct ovl_metacopy: version 0, length, flags 0, digest algorithm 1 (sha256), digest.
            d = digests.get(csum)
            os.setxattr(p, 'trusted.overlay.metacopy', bytes([0, 36, 0, 1]) + d if d else b'')
    if keep_xattrs:
        for name, value in xattrs_of(xattr_text):
            if not name.startswith('trusted.overlay.'):
                os.setxattr(p, name, value, follow_symlinks=False)
    os.lchown(p, int(uid), int(gid))   # before chmod: chown clears setuid/setgid
    if mode != 'l':
        os.chmod(p, int(perms[1:], 8))   # e.g. -04755: type letter, then octal mode
os.makedirs(root + '/etc', exist_ok=True)
PY
# mkfs.erofs --chunksize writes through an O_TMPFILE in /tmp: the image must be on /tmp's fs first.
TMPIMG=$(mktemp /tmp/mkcfs.XXXXXX)
mkfs.erofs --quiet --chunksize=4096 -T0 -U 00000000-0000-0000-0000-000000000000 "$TMPIMG" "$ST/tree"
printf '\x9a\x62\x78\xd0\x01\x00\x00\x00' | dd of="$TMPIMG" bs=1 seek=0 conv=notrunc status=none
cp "$TMPIMG" "$OUT"; rm -f "$TMPIMG" "$ST.list" "$ST.digests"
