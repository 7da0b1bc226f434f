/* Registration of the native module `native` and the argument helpers its parts share. */
#include <stdlib.h>
#include <string.h>
#include "native.h"

int arg_int(JSContext *ctx, JSValueConst v, int *out) { return JS_ToInt32(ctx, out, v); }

int arg_uint(JSContext *ctx, JSValueConst v, unsigned int *out) {
  uint32_t u;
  if (JS_ToUint32(ctx, &u, v)) return -1;
  *out = u;
  return 0;
}

int arg_u64(JSContext *ctx, JSValueConst v, uint64_t *out) {
  int64_t i;
  if (JS_IsBigInt(ctx, v) ? JS_ToBigInt64(ctx, &i, v) : JS_ToInt64(ctx, &i, v)) return -1;
  *out = (uint64_t)i;
  return 0;
}

const char *arg_opt_str(JSContext *ctx, JSValueConst v, int *err) {
  *err = 0;
  if (JS_IsNull(v) || JS_IsUndefined(v)) return NULL;
  const char *s = JS_ToCString(ctx, v);
  if (s == NULL) *err = 1;
  return s;
}

uint8_t *arg_bytes(JSContext *ctx, JSValueConst v, size_t *len) {
  size_t offset, bytes_per_element, size;
  JSValue buffer = JS_GetTypedArrayBuffer(ctx, v, &offset, len, &bytes_per_element);
  if (JS_IsException(buffer)) return NULL;
  uint8_t *base = JS_GetArrayBuffer(ctx, &size, buffer);
  JS_FreeValue(ctx, buffer);
  return base == NULL ? NULL : base + offset;
}

FN(js_strerror) {
  UNUSED_THIS;
  int e;
  if (arg_int(ctx, argv[0], &e)) return JS_EXCEPTION;
  return JS_NewString(ctx, strerror(e < 0 ? -e : e));
}

/* The errno's symbolic name (ENOENT), or null for a number the C library does not know. */
FN(js_errno_name) {
  UNUSED_THIS;
  int e;
  if (arg_int(ctx, argv[0], &e)) return JS_EXCEPTION;
  const char *name = strerrorname_np(e < 0 ? -e : e);
  return name == NULL ? JS_NULL : JS_NewString(ctx, name);
}

static const JSCFunctionListEntry native_misc[] = {
  JS_CFUNC_DEF("strerror", 1, js_strerror),
  JS_CFUNC_DEF("errnoName", 1, js_errno_name),
};

static int add_all(JSContext *ctx, JSModuleDef *m, int (*op)(JSContext *, JSModuleDef *, const JSCFunctionListEntry *, int)) {
  const struct { const JSCFunctionListEntry *list; size_t count; } parts[] = {
    { native_misc, sizeof native_misc / sizeof native_misc[0] },
    { native_files, native_files_count },
    { native_mounts, native_mounts_count },
    { native_process, native_process_count },
    { native_integrity, native_integrity_count },
    { native_text, native_text_count },
    { native_constants, native_constants_count },
  };
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
    if (op(ctx, m, parts[i].list, (int)parts[i].count)) return -1;
  }
  return 0;
}

static int native_init(JSContext *ctx, JSModuleDef *m) { return add_all(ctx, m, JS_SetModuleExportList); }

/* A run lasts milliseconds, and reference counting frees all but cycles: the cycle collector's
   passes, from the first 256 KiB allocated on, cost more than the memory they would return.
   It still runs past this much, for the rare long command (diff of a large upper). */
#define GC_THRESHOLD (64u << 20)

JSModuleDef *js_init_module_native(JSContext *ctx, const char *module_name) {
  JS_SetGCThreshold(JS_GetRuntime(ctx), GC_THRESHOLD);
  JSModuleDef *m = JS_NewCModule(ctx, module_name, native_init);
  if (m == NULL) return NULL;
  if (add_all(ctx, m, JS_AddModuleExportList)) return NULL;
  return m;
}
