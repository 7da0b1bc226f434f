#!/bin/bash
# sign-commit.sh REPO COMMIT SECRET_FILE [PUBLIC_OUT]: what `ostree sign --sign-type=ed25519` does
# (Debian 12's ostree is built without ed25519): sign the raw .commit object bytes with the
# ed25519 key in SECRET_FILE (base64 of seed||public, ostree's format; created when missing, its
# public key then written to PUBLIC_OUT) and store the signature as the detached metadata
# (.commitmeta) key ostree.sign.ed25519, an aay serialized by GLib itself.
set -euo pipefail
REPO=$1 COMMIT=$2 SECRET=$3 PUBLIC=${4:-}
OBJ="$REPO/objects/${COMMIT:0:2}/${COMMIT:2}"
node - "$OBJ.commit" "$SECRET" "$PUBLIC" > "$OBJ.sig.hex" <<'JS'
const crypto = require('node:crypto');
const fs = require('node:fs');
const [commit, secret, pub] = process.argv.slice(2);
if (!fs.existsSync(secret)) {
  const jwk = crypto.generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d, 'base64url'), key = Buffer.from(jwk.x, 'base64url');
  fs.writeFileSync(secret, Buffer.concat([seed, key]).toString('base64'));
  if (pub) fs.writeFileSync(pub, `${key.toString('base64')}\n`);
}
const seed = Buffer.from(fs.readFileSync(secret, 'utf8').trim(), 'base64').subarray(0, 32);
// PKCS#8 wrapping of a raw ed25519 seed (RFC 8410).
const key = crypto.createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
process.stdout.write(crypto.sign(null, fs.readFileSync(commit), key).toString('hex'));
JS
/usr/bin/python3 - "$(cat "$OBJ.sig.hex")" "$OBJ.commitmeta" <<'PY'
import sys
from gi.repository import GLib
meta = GLib.Variant('a{sv}', {'ostree.sign.ed25519': GLib.Variant('aay', [bytes.fromhex(sys.argv[1])])})
open(sys.argv[2], 'wb').write(meta.get_data_as_bytes().get_data())
PY
rm "$OBJ.sig.hex"
