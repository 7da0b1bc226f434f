/* The process: its arguments and environment, identity, signals, working and root directory,
   execve for the hand-over, and spawn and sleep for PID 1's way out of a failed boot (an
   emergency shell, or holding). */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "native.h"

static void free_string_array(JSContext *ctx, char **a) {
  for (char **p = a; *p != NULL; p++) JS_FreeCString(ctx, *p);
  free(a);
}

/* A NULL-terminated copy of a JS array of strings; NULL with an exception. */
static char **string_array(JSContext *ctx, JSValueConst array) {
  JSValue lenv = JS_GetPropertyStr(ctx, array, "length");
  uint32_t n;
  int bad = JS_ToUint32(ctx, &n, lenv);
  JS_FreeValue(ctx, lenv);
  if (bad) return NULL;
  char **out = calloc((size_t)n + 1, sizeof *out);
  if (out == NULL) { JS_ThrowOutOfMemory(ctx); return NULL; }
  for (uint32_t i = 0; i < n; i++) {
    JSValue v = JS_GetPropertyUint32(ctx, array, i);
    const char *s = JS_ToCString(ctx, v);
    JS_FreeValue(ctx, v);
    if (s == NULL) {
      free_string_array(ctx, out); /* the strings so far: out is NULL-terminated after them */
      return NULL;
    }
    out[i] = (char *)s;
  }
  return out;
}

/* A program to run: path, argv and env from JS (path, array of strings, array of strings). */
struct program {
  const char *path;
  char **args;
  char **env;
};

/* 0, or -1 with an exception (nothing left to free). */
static int program_from(JSContext *ctx, JSValueConst *argv, struct program *p) {
  p->path = JS_ToCString(ctx, argv[0]);
  if (p->path == NULL) return -1;
  p->args = string_array(ctx, argv[1]);
  p->env = p->args == NULL ? NULL : string_array(ctx, argv[2]);
  if (p->args != NULL && p->env != NULL) return 0;
  if (p->args != NULL) free_string_array(ctx, p->args);
  JS_FreeCString(ctx, p->path);
  return -1;
}

static void program_free(JSContext *ctx, struct program *p) {
  free_string_array(ctx, p->args);
  free_string_array(ctx, p->env);
  JS_FreeCString(ctx, p->path);
}

/* execve(path, argv, env): returns -errno only when it failed. */
FN(js_execve) {
  UNUSED_THIS;
  struct program p;
  if (program_from(ctx, argv, &p)) return JS_EXCEPTION;
  execve(p.path, p.args, p.env);
  int e = errno;
  program_free(ctx, &p);
  return JS_NewInt32(ctx, -e);
}

/* spawn(path, argv, env): run a program in a session of its own, with the terminal on its stdin
   as controlling terminal (so ^C reaches it), and wait for it. Every child that ends meanwhile is
   reaped: as PID 1 the orphans are ours. Its exit status (128 + the signal that ended it), or
   -errno when it could not be started (127 when execve failed in the child). */
FN(js_spawn) {
  UNUSED_THIS;
  struct program p;
  int bad = 0;
  /* root: the child runs chrooted there (an emergency shell from the physical root), or null. */
  const char *root = arg_opt_str(ctx, argv[3], &bad);
  if (bad) return JS_EXCEPTION;
  if (program_from(ctx, argv, &p)) {
    if (root != NULL) JS_FreeCString(ctx, root);
    return JS_EXCEPTION;
  }
  pid_t child = fork();
  if (child == 0) {
    setsid();
    (void)ioctl(STDIN_FILENO, TIOCSCTTY, 0);
    if (root != NULL && (chroot(root) < 0 || chdir("/") < 0)) _exit(126);
    execve(p.path, p.args, p.env);
    _exit(127);
  }
  int e = errno;
  program_free(ctx, &p);
  if (root != NULL) JS_FreeCString(ctx, root);
  if (child < 0) return JS_NewInt32(ctx, -e);
  for (;;) {
    int status;
    pid_t ended = wait(&status);
    if (ended < 0 && errno == EINTR) continue;
    if (ended < 0) return JS_NewInt32(ctx, -errno);
    if (ended == child) return JS_NewInt32(ctx, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  }
}

/* sleep(seconds): the whole time, across signals; fractions of a second too. */
FN(js_sleep) {
  UNUSED_THIS;
  double seconds;
  if (JS_ToFloat64(ctx, &seconds, argv[0])) return JS_EXCEPTION;
  if (!(seconds >= 0 && seconds <= 1e9)) return JS_ThrowRangeError(ctx, "sleep: seconds not in 0..1e9");
  time_t whole = (time_t)seconds;
  struct timespec left = {.tv_sec = whole, .tv_nsec = (long)((seconds - (double)whole) * 1e9)};
  while (nanosleep(&left, &left) < 0 && errno == EINTR) {}
  return JS_UNDEFINED;
}

/* fillStdio(path): open path on each of fds 0-2 that is not open (PID 1 has none when the kernel
   found no console), so that no file we open later becomes stdin, stdout or stderr. Returns how
   many it filled, or -errno when path could not be opened. */
FN(js_fill_stdio) {
  UNUSED_THIS;
  const char *path = JS_ToCString(ctx, argv[0]);
  if (path == NULL) return JS_EXCEPTION;
  int filled = 0;
  for (int fd = 0; fd <= 2; fd++) {
    if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF) continue;
    /* Lower fds are open by now: the lowest free one, which open takes, is this one. */
    if (open(path, O_RDWR | O_NOCTTY) < 0) {
      filled = -errno;
      break;
    }
    filled++;
  }
  JS_FreeCString(ctx, path);
  return JS_NewInt32(ctx, filled);
}

static int process_argc;
static char **process_argv;

void native_set_args(int argc, char **argv) {
  process_argc = argc;
  process_argv = argv;
}

/* The command line after the program's name. */
FN(js_args) {
  UNUSED_THIS;
  (void)argv;
  JSValue out = JS_NewArray(ctx);
  if (JS_IsException(out)) return out;
  for (int i = 1; i < process_argc; i++) {
    if (JS_SetPropertyUint32(ctx, out, (uint32_t)(i - 1), JS_NewString(ctx, process_argv[i])) < 0) {
      JS_FreeValue(ctx, out);
      return JS_EXCEPTION;
    }
  }
  return out;
}

/* The environment as an object; a variable without '=' is skipped. */
FN(js_environ) {
  UNUSED_THIS;
  (void)argv;
  JSValue out = JS_NewObject(ctx);
  if (JS_IsException(out)) return out;
  for (char **e = environ; *e != NULL; e++) {
    const char *eq = strchr(*e, '=');
    if (eq == NULL) continue;
    JSAtom key = JS_NewAtomLen(ctx, *e, (size_t)(eq - *e));
    int r = key == JS_ATOM_NULL ? -1 : JS_DefinePropertyValue(ctx, out, key, JS_NewString(ctx, eq + 1), JS_PROP_C_W_E);
    if (key != JS_ATOM_NULL) JS_FreeAtom(ctx, key);
    if (r < 0) {
      JS_FreeValue(ctx, out);
      return JS_EXCEPTION;
    }
  }
  return out;
}

FN(js_getpid) { UNUSED_THIS; (void)argv; return JS_NewInt32(ctx, getpid()); }
FN(js_getuid) { UNUSED_THIS; (void)argv; return JS_NewInt32(ctx, (int32_t)getuid()); }

/* kill(pid, signal); signal 0 probes whether pid exists. */
FN(js_kill) {
  UNUSED_THIS;
  int pid, sig;
  if (arg_int(ctx, argv[0], &pid) || arg_int(ctx, argv[1], &sig)) return JS_EXCEPTION;
  return result_or_errno(ctx, kill(pid, sig));
}

#define PATH_CALL(name, call)                                                  \
  FN(name) {                                                                   \
    UNUSED_THIS;                                                               \
    const char *path = JS_ToCString(ctx, argv[0]);                             \
    if (path == NULL) return JS_EXCEPTION;                                     \
    int r = call(path);                                                        \
    JS_FreeCString(ctx, path);                                                 \
    return result_or_errno(ctx, r);                                            \
  }

PATH_CALL(js_chdir, chdir)
PATH_CALL(js_chroot, chroot)

/* fchdir(fd): into a mount that has no path yet (a detached one, made by fsmount). */
FN(js_fchdir) {
  UNUSED_THIS;
  int fd;
  if (arg_int(ctx, argv[0], &fd)) return JS_EXCEPTION;
  return result_or_errno(ctx, fchdir(fd));
}

/* kernelRelease() → uname -r: where this kernel's modules are (lib/modules/RELEASE). */
FN(js_kernel_release) {
  UNUSED_THIS; (void)argv;
  struct utsname u;
  if (uname(&u) < 0) return fail_errno(ctx);
  return JS_NewString(ctx, u.release);
}

/* finitModule(fd, params, flags): load the kernel module in the open file fd. flags: 4 asks the
 * kernel to decompress it (MODULE_INIT_COMPRESSED_FILE). No other flag is let through: ignoring
 * version magic or modversions would load a module built for another kernel. */
FN(js_finit_module) {
  UNUSED_THIS;
  int fd; unsigned int flags;
  if (arg_int(ctx, argv[0], &fd) || arg_uint(ctx, argv[2], &flags)) return JS_EXCEPTION;
  if ((flags & ~4u) != 0) return JS_ThrowRangeError(ctx, "finitModule: flags other than 4 (compressed)");
  const char *params = JS_ToCString(ctx, argv[1]);
  if (params == NULL) return JS_EXCEPTION;
  long r = syscall(SYS_finit_module, fd, params, flags);
  JS_FreeCString(ctx, params);
  return result_or_errno(ctx, r);
}

/* exit(code): at once, without running JS finalizers (output is written unbuffered). */
FN(js_exit) {
  UNUSED_THIS;
  int code;
  if (arg_int(ctx, argv[0], &code)) return JS_EXCEPTION;
  _exit(code);
}

const JSCFunctionListEntry native_process[] = {
  JS_CFUNC_DEF("args", 0, js_args),
  JS_CFUNC_DEF("environ", 0, js_environ),
  JS_CFUNC_DEF("execve", 3, js_execve),
  JS_CFUNC_DEF("spawn", 4, js_spawn),
  JS_CFUNC_DEF("sleep", 1, js_sleep),
  JS_CFUNC_DEF("fillStdio", 1, js_fill_stdio),
  JS_CFUNC_DEF("getpid", 0, js_getpid),
  JS_CFUNC_DEF("getuid", 0, js_getuid),
  JS_CFUNC_DEF("kill", 2, js_kill),
  JS_CFUNC_DEF("chdir", 1, js_chdir),
  JS_CFUNC_DEF("chroot", 1, js_chroot),
  JS_CFUNC_DEF("fchdir", 1, js_fchdir),
  JS_CFUNC_DEF("kernelRelease", 0, js_kernel_release),
  JS_CFUNC_DEF("finitModule", 3, js_finit_module),
  JS_CFUNC_DEF("exit", 1, js_exit),
};
const size_t native_process_count = sizeof native_process / sizeof native_process[0];
