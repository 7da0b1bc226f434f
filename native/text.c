/* UTF-8 for JavaScript strings, by the WHATWG Encoding standard's rules, as base/text.ts has them
 * in JavaScript: in an interpreter a loop over characters costs about a thousand instructions a
 * character, and every status record, journal line and file read goes through here. Encoding
 * replaces a lone surrogate with U+FFFD; decoding replaces each maximal malformed subpart with
 * U+FFFD, or, fatal, gives null. */
#include <stdlib.h>
#include <string.h>
#include "native.h"

/* utf8Encode(string) → ArrayBuffer. */
FN(js_utf8_encode) {
  UNUSED_THIS;
  size_t len;
  /* Not CESU-8: pairs become 4-byte sequences; a lone surrogate stays ED A0..BF xx. The bytes
     may be the string's own (an ASCII string's): never written to. */
  const char *s = JS_ToCStringLen2(ctx, &len, argv[0], 0);
  if (s == NULL) return JS_EXCEPTION;
  const uint8_t *bytes = (const uint8_t *)s;
  size_t first = 0; /* the first lone surrogate, len when there is none (the usual case) */
  while (first + 2 < len && !(bytes[first] == 0xed && bytes[first + 1] >= 0xa0)) first++;
  if (first + 2 >= len) {
    JSValue buffer = JS_NewArrayBufferCopy(ctx, bytes, len);
    JS_FreeCString(ctx, s);
    return buffer;
  }
  uint8_t *out = malloc(len);
  if (out == NULL) { JS_FreeCString(ctx, s); return JS_ThrowOutOfMemory(ctx); }
  memcpy(out, bytes, len);
  JS_FreeCString(ctx, s);
  /* U+FFFD is 3 bytes too: replaced in place. Valid UTF-8 never has ED A0..BF. */
  for (size_t i = first; i + 2 < len; i++) {
    if (out[i] == 0xed && out[i + 1] >= 0xa0) { out[i] = 0xef; out[i + 1] = 0xbf; out[i + 2] = 0xbd; i += 2; }
  }
  JSValue buffer = JS_NewArrayBufferCopy(ctx, out, len);
  free(out);
  return buffer;
}

/* The length of the valid sequence at p (1 to 4 bytes), or, negated, the length of its maximal
 * malformed subpart (one U+FFFD each). */
static int sequence(const uint8_t *p, size_t left) {
  uint8_t lead = p[0], lower = 0x80, upper = 0xbf;
  int need;
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) need = 1;
  else if (lead >= 0xe0 && lead <= 0xef) {
    need = 2;
    if (lead == 0xe0) lower = 0xa0;
    if (lead == 0xed) upper = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    need = 3;
    if (lead == 0xf0) lower = 0x90;
    if (lead == 0xf4) upper = 0x8f;
  } else return -1;
  for (int j = 1; j <= need; j++) {
    if ((size_t)j >= left || p[j] < lower || p[j] > upper) return -j;
    lower = 0x80;
    upper = 0xbf;
  }
  return need + 1;
}

/* utf8Decode(bytes, fatal) → string, or null when fatal and the bytes are not UTF-8. */
FN(js_utf8_decode) {
  UNUSED_THIS;
  size_t len = 0;
  const uint8_t *p = arg_bytes(ctx, argv[0], &len);
  if (p == NULL && JS_HasException(ctx)) return JS_EXCEPTION;
  if (p == NULL || len == 0) return JS_NewStringLen(ctx, "", 0);
  int fatal = JS_ToBool(ctx, argv[1]);
  size_t bad = 0;
  for (size_t i = 0; i < len;) {
    int n = sequence(p + i, len - i);
    if (n < 0) bad++;
    i += (size_t)(n < 0 ? -n : n);
  }
  if (bad == 0) return JS_NewStringLen(ctx, (const char *)p, len);
  if (fatal) return JS_NULL;
  /* Each malformed subpart (at least one byte) becomes the 3 bytes of U+FFFD. */
  uint8_t *out = malloc(len + 2 * bad);
  if (out == NULL) return JS_ThrowOutOfMemory(ctx);
  size_t o = 0;
  for (size_t i = 0; i < len;) {
    int n = sequence(p + i, len - i);
    if (n > 0) {
      memcpy(out + o, p + i, (size_t)n);
      o += (size_t)n;
      i += (size_t)n;
    } else {
      out[o++] = 0xef; out[o++] = 0xbf; out[o++] = 0xbd;
      i += (size_t)-n;
    }
  }
  JSValue s = JS_NewStringLen(ctx, (const char *)out, o);
  free(out);
  return s;
}

const JSCFunctionListEntry native_text[] = {
  JS_CFUNC_DEF("utf8Encode", 1, js_utf8_encode),
  JS_CFUNC_DEF("utf8Decode", 2, js_utf8_decode),
};
const size_t native_text_count = sizeof native_text / sizeof native_text[0];
