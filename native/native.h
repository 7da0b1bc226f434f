/* The native module of prepare-root: the system calls the boot and the commands need that
 * QuickJS's std and os modules lack. Every function returns its result, or -errno when the call
 * failed; the TypeScript platform layer turns that into a message naming the step. */
#ifndef PREPARE_ROOT_NATIVE_H
#define PREPARE_ROOT_NATIVE_H

#include <errno.h>
#include "quickjs.h"

#define FN(name) static JSValue name(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
#define UNUSED_THIS (void)this_val; (void)argc

/* -errno as a JS number: the one failure value of this module. */
static inline JSValue fail_errno(JSContext *ctx) { return JS_NewInt32(ctx, -errno); }
static inline JSValue result_or_errno(JSContext *ctx, long r) { return r < 0 ? fail_errno(ctx) : JS_NewInt64(ctx, r); }

/* The command line, for args(): main() hands it over before any module runs. */
void native_set_args(int argc, char **argv);

/* Helpers shared by the parts (module.c). */
int arg_int(JSContext *ctx, JSValueConst v, int *out);
int arg_uint(JSContext *ctx, JSValueConst v, unsigned int *out);
int arg_u64(JSContext *ctx, JSValueConst v, uint64_t *out);
/* NULL for null/undefined; else a string to free with JS_FreeCString. Sets *err on exception. */
const char *arg_opt_str(JSContext *ctx, JSValueConst v, int *err);
/* Bytes of a typed array (its view: offset applied). NULL with an exception. */
uint8_t *arg_bytes(JSContext *ctx, JSValueConst v, size_t *len);

extern const JSCFunctionListEntry native_files[];
extern const size_t native_files_count;
extern const JSCFunctionListEntry native_mounts[];
extern const size_t native_mounts_count;
extern const JSCFunctionListEntry native_process[];
extern const size_t native_process_count;
extern const JSCFunctionListEntry native_integrity[];
extern const size_t native_integrity_count;
extern const JSCFunctionListEntry native_text[];
extern const size_t native_text_count;
extern const JSCFunctionListEntry native_constants[];
extern const size_t native_constants_count;

#endif
