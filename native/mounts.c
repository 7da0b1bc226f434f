/* Mounts: umount2(2), mount_setattr(2), and the new mount API (fsopen, fsconfig,
 * fsmount, move_mount, open_tree), whose filesystem context tells why a mount was refused. */
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>
#include "native.h"

/* umount2(target, flags). */
FN(js_umount2) {
  UNUSED_THIS;
  int flags;
  if (arg_int(ctx, argv[1], &flags)) return JS_EXCEPTION;
  const char *target = JS_ToCString(ctx, argv[0]);
  if (target == NULL) return JS_EXCEPTION;
  int r = umount2(target, flags);
  JS_FreeCString(ctx, target);
  return result_or_errno(ctx, r);
}

/* mountSetattr(dirfd, path, atFlags, attrSet, attrClr, propagation): change per-mount attributes
 * without touching the others (a remount with mount(2) replaces them all). */
FN(js_mount_setattr) {
  UNUSED_THIS;
  int dirfd; unsigned int at, set, clr; uint64_t prop;
  if (arg_int(ctx, argv[0], &dirfd) || arg_uint(ctx, argv[2], &at) || arg_uint(ctx, argv[3], &set) ||
      arg_uint(ctx, argv[4], &clr) || arg_u64(ctx, argv[5], &prop)) return JS_EXCEPTION;
  const char *path = JS_ToCString(ctx, argv[1]);
  if (path == NULL) return JS_EXCEPTION;
  struct mount_attr attr = { .attr_set = set, .attr_clr = clr, .propagation = prop };
  int r = mount_setattr(dirfd, path, at, &attr, sizeof attr);
  JS_FreeCString(ctx, path);
  return result_or_errno(ctx, r);
}

/* fsopen(fstype, flags) → fs context fd. */
FN(js_fsopen) {
  UNUSED_THIS;
  unsigned int flags;
  if (arg_uint(ctx, argv[1], &flags)) return JS_EXCEPTION;
  const char *fstype = JS_ToCString(ctx, argv[0]);
  if (fstype == NULL) return JS_EXCEPTION;
  int fd = fsopen(fstype, flags | FSOPEN_CLOEXEC);
  JS_FreeCString(ctx, fstype);
  return result_or_errno(ctx, fd);
}

/* fsconfig(fd, cmd, key, value, aux); key and value may be null (FSCONFIG_CMD_CREATE, flags). */
FN(js_fsconfig) {
  UNUSED_THIS;
  int fd, aux; unsigned int cmd;
  int e1, e2;
  if (arg_int(ctx, argv[0], &fd) || arg_uint(ctx, argv[1], &cmd) || arg_int(ctx, argv[4], &aux)) return JS_EXCEPTION;
  const char *key = arg_opt_str(ctx, argv[2], &e1);
  const char *value = arg_opt_str(ctx, argv[3], &e2);
  long r = (e1 || e2) ? -2 : fsconfig(fd, cmd, key, value, aux);
  int e = errno;
  if (key) JS_FreeCString(ctx, key);
  if (value) JS_FreeCString(ctx, value);
  if (r == -2) return JS_EXCEPTION;
  errno = e;
  return result_or_errno(ctx, r);
}

/* fsmount(fd, flags, attrFlags) → detached mount fd. */
FN(js_fsmount) {
  UNUSED_THIS;
  int fd; unsigned int flags, attrs;
  if (arg_int(ctx, argv[0], &fd) || arg_uint(ctx, argv[1], &flags) || arg_uint(ctx, argv[2], &attrs)) return JS_EXCEPTION;
  return result_or_errno(ctx, fsmount(fd, flags | FSMOUNT_CLOEXEC, attrs));
}

/* moveMount(fromDirfd, fromPath, toDirfd, toPath, flags). */
FN(js_move_mount) {
  UNUSED_THIS;
  int fromfd, tofd; unsigned int flags;
  if (arg_int(ctx, argv[0], &fromfd) || arg_int(ctx, argv[2], &tofd) || arg_uint(ctx, argv[4], &flags)) return JS_EXCEPTION;
  const char *from = JS_ToCString(ctx, argv[1]);
  if (from == NULL) return JS_EXCEPTION;
  const char *to = JS_ToCString(ctx, argv[3]);
  if (to == NULL) { JS_FreeCString(ctx, from); return JS_EXCEPTION; }
  int r = move_mount(fromfd, from, tofd, to, flags);
  JS_FreeCString(ctx, from);
  JS_FreeCString(ctx, to);
  return result_or_errno(ctx, r);
}

/* openTree(dirfd, path, flags) → mount fd (OPEN_TREE_CLONE: a detached copy, as a bind source). */
FN(js_open_tree) {
  UNUSED_THIS;
  int dirfd; unsigned int flags;
  if (arg_int(ctx, argv[0], &dirfd) || arg_uint(ctx, argv[2], &flags)) return JS_EXCEPTION;
  const char *path = JS_ToCString(ctx, argv[1]);
  if (path == NULL) return JS_EXCEPTION;
  int fd = open_tree(dirfd, path, flags | OPEN_TREE_CLOEXEC);
  JS_FreeCString(ctx, path);
  return result_or_errno(ctx, fd);
}

/* fspick(dirfd, path, flags) → fs context fd for reconfiguring the filesystem mounted at path. */
FN(js_fspick) {
  UNUSED_THIS;
  int dirfd; unsigned int flags;
  if (arg_int(ctx, argv[0], &dirfd) || arg_uint(ctx, argv[2], &flags)) return JS_EXCEPTION;
  const char *path = JS_ToCString(ctx, argv[1]);
  if (path == NULL) return JS_EXCEPTION;
  int fd = fspick(dirfd, path, flags | FSPICK_CLOEXEC);
  JS_FreeCString(ctx, path);
  return result_or_errno(ctx, fd);
}

/* fsLog(fd) → the messages the kernel left in a filesystem context ("e ...", "w ...", "i ..."),
 * one a line; empty when there are none. All are drained; what does not fit is counted in a last
 * line, so that a cut is never silent. */
FN(js_fs_log) {
  UNUSED_THIS;
  int fd;
  if (arg_int(ctx, argv[0], &fd)) return JS_EXCEPTION;
  char out[4096];
  size_t len = 0;
  unsigned cut = 0;
  for (;;) {
    char msg[1024];
    ssize_t n = read(fd, msg, sizeof msg - 1);
    if (n < 0 && errno == EMSGSIZE) { cut++; continue; } /* the kernel dropped it from the log */
    if (n <= 0) break; /* ENODATA: no more messages */
    while (n > 0 && msg[n - 1] == '\n') n--; /* some end in one */
    /* Room kept for the count line. */
    if (len + (size_t)n + 1 >= sizeof out - 64) { cut++; continue; }
    if (len > 0) out[len++] = '\n';
    memcpy(out + len, msg, (size_t)n);
    len += (size_t)n;
  }
  if (cut > 0) len += (size_t)snprintf(out + len, sizeof out - len, "%si (%u more kernel messages cut)", len > 0 ? "\n" : "", cut);
  return JS_NewStringLen(ctx, out, len);
}

/* loopAttach(fd, readonly) → { fd, device }: a free loop device bound to the open file fd,
 * auto-clearing (it detaches once unmounted and closed). The caller mounts `device`, then closes
 * `fd`. For kernels that cannot mount an EROFS image from a file. */
FN(js_loop_attach) {
  UNUSED_THIS;
  int backing, readonly;
  if (arg_int(ctx, argv[0], &backing) || arg_int(ctx, argv[1], &readonly)) return JS_EXCEPTION;
  int control = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
  if (control < 0) return fail_errno(ctx);
  for (int attempt = 0; attempt < 16; attempt++) {
    int n = ioctl(control, LOOP_CTL_GET_FREE);
    if (n < 0) break;
    char dev[32];
    snprintf(dev, sizeof dev, "/dev/loop%d", n);
    int fd = open(dev, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd < 0) break;
    struct loop_config config = { .fd = (unsigned int)backing };
    config.info.lo_flags = LO_FLAGS_AUTOCLEAR | (readonly ? LO_FLAGS_READ_ONLY : 0);
    if (ioctl(fd, LOOP_CONFIGURE, &config) == 0) {
      close(control);
      JSValue o = JS_NewObject(ctx);
      if (JS_IsException(o)) { close(fd); return o; } /* closing it detaches the device (autoclear) */
      JS_SetPropertyStr(ctx, o, "fd", JS_NewInt32(ctx, fd));
      JS_SetPropertyStr(ctx, o, "device", JS_NewString(ctx, dev));
      return o;
    }
    int e = errno;
    close(fd);
    errno = e;
    if (e != EBUSY) break; /* EBUSY: another process took it meanwhile; try the next free one */
  }
  int e = errno;
  close(control);
  errno = e;
  return fail_errno(ctx);
}

const JSCFunctionListEntry native_mounts[] = {
  JS_CFUNC_DEF("loopAttach", 2, js_loop_attach),
  JS_CFUNC_DEF("umount2", 2, js_umount2),
  JS_CFUNC_DEF("mountSetattr", 6, js_mount_setattr),
  JS_CFUNC_DEF("fsopen", 2, js_fsopen),
  JS_CFUNC_DEF("fsconfig", 5, js_fsconfig),
  JS_CFUNC_DEF("fsmount", 3, js_fsmount),
  JS_CFUNC_DEF("moveMount", 5, js_move_mount),
  JS_CFUNC_DEF("openTree", 3, js_open_tree),
  JS_CFUNC_DEF("fspick", 3, js_fspick),
  JS_CFUNC_DEF("fsLog", 1, js_fs_log),
};
const size_t native_mounts_count = sizeof native_mounts / sizeof native_mounts[0];
