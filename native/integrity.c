/* Integrity: random bytes, the kernel-measured fs-verity digest of a file, and ed25519
 * signature verification (libsodium's, linked statically). */
#include <linux/fsverity.h>
#include <sodium.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include "native.h"

/* getrandom(n) → ArrayBuffer of n random bytes. */
FN(js_getrandom) {
  UNUSED_THIS;
  int n;
  if (arg_int(ctx, argv[0], &n) || n < 0 || n > 256) return JS_ThrowRangeError(ctx, "getrandom: 0..256 bytes");
  uint8_t buf[256];
  for (int done = 0; done < n;) {
    ssize_t r = getrandom(buf + done, (size_t)(n - done), 0);
    if (r < 0) { if (errno == EINTR) continue; return fail_errno(ctx); }
    done += (int)r;
  }
  return JS_NewArrayBufferCopy(ctx, buf, (size_t)n);
}

/* measureVerity(fd) → { algorithm, digest }: FS_IOC_MEASURE_VERITY. Only the kernel's measure
 * means the kernel checks every read against it. ENODATA: the file has no fs-verity. */
FN(js_measure_verity) {
  UNUSED_THIS;
  int fd;
  if (arg_int(ctx, argv[0], &fd)) return JS_EXCEPTION;
  struct { struct fsverity_digest d; uint8_t bytes[64]; } m = { .d = { .digest_size = 64 } };
  if (ioctl(fd, FS_IOC_MEASURE_VERITY, &m) < 0) return fail_errno(ctx);
  JSValue o = JS_NewObject(ctx);
  JS_SetPropertyStr(ctx, o, "algorithm", JS_NewInt32(ctx, m.d.digest_algorithm));
  JS_SetPropertyStr(ctx, o, "digest", JS_NewArrayBufferCopy(ctx, m.d.digest, m.d.digest_size));
  return o;
}

/* ed25519Verify(signature, message, publicKey) → true when the signature is valid. */
FN(js_ed25519_verify) {
  UNUSED_THIS;
  size_t slen, mlen, klen;
  uint8_t *sig = arg_bytes(ctx, argv[0], &slen);
  if (sig == NULL) return JS_EXCEPTION;
  uint8_t *msg = arg_bytes(ctx, argv[1], &mlen);
  if (msg == NULL) return JS_EXCEPTION;
  uint8_t *key = arg_bytes(ctx, argv[2], &klen);
  if (key == NULL) return JS_EXCEPTION;
  if (slen != crypto_sign_BYTES || klen != crypto_sign_PUBLICKEYBYTES) return JS_FALSE;
  if (sodium_init() < 0) return JS_ThrowInternalError(ctx, "libsodium failed to initialise");
  return JS_NewBool(ctx, crypto_sign_verify_detached(sig, msg, mlen, key) == 0);
}

const JSCFunctionListEntry native_integrity[] = {
  JS_CFUNC_DEF("getrandom", 1, js_getrandom),
  JS_CFUNC_DEF("measureVerity", 1, js_measure_verity),
  JS_CFUNC_DEF("ed25519Verify", 3, js_ed25519_verify),
};
const size_t native_integrity_count = sizeof native_integrity / sizeof native_integrity[0];
