/* Files, directories, xattrs and filesystem syncs, relative to directory fds where the kernel
 * allows it (openat2 with RESOLVE_* flags keeps a lookup inside a tree). */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include "native.h"

/* openat(dirfd, path, flags, mode, resolve): openat2(2) when resolve has RESOLVE_* bits. */
FN(js_openat) {
  UNUSED_THIS;
  int dirfd, flags; unsigned int mode; uint64_t resolve;
  if (arg_int(ctx, argv[0], &dirfd) || arg_int(ctx, argv[2], &flags) || arg_uint(ctx, argv[3], &mode) || arg_u64(ctx, argv[4], &resolve)) return JS_EXCEPTION;
  const char *path = JS_ToCString(ctx, argv[1]);
  if (path == NULL) return JS_EXCEPTION;
  long fd;
  if (resolve == 0) {
    fd = openat(dirfd, path, flags | O_CLOEXEC, mode);
  } else {
    /* openat2 refuses a mode without O_CREAT or O_TMPFILE; O_TMPFILE includes O_DIRECTORY's bit,
       so it is tested whole. */
    int creates = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
    struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC), .mode = creates ? mode : 0, .resolve = resolve };
    fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
  }
  JS_FreeCString(ctx, path);
  return result_or_errno(ctx, fd);
}

FN(js_close) {
  UNUSED_THIS;
  int fd;
  if (arg_int(ctx, argv[0], &fd)) return JS_EXCEPTION;
  return result_or_errno(ctx, close(fd));
}

/* The most read() and pread() return: more than any file the program reads (an ArrayBuffer's
   length must also fit). */
#define READ_MAX ((int64_t)1 << 30)

/* read(fd, limit): everything up to EOF, but at most limit + 1 bytes (so that the caller can
 * tell "exactly at the limit" from "over it" without reading an endless file to its end). */
FN(js_read) {
  UNUSED_THIS;
  int fd; int64_t limit;
  if (arg_int(ctx, argv[0], &fd) || JS_ToInt64(ctx, &limit, argv[1])) return JS_EXCEPTION;
  if (limit < 0 || limit > READ_MAX) return JS_ThrowRangeError(ctx, "read: limit %lld is not in 0..%lld", (long long)limit, (long long)READ_MAX);
  size_t cap = 4096, len = 0, max = (size_t)limit + 1;
  uint8_t *buf = malloc(cap);
  if (buf == NULL) return JS_ThrowOutOfMemory(ctx);
  while (len < max) {
    if (len == cap) {
      size_t next = cap * 2 > max ? max : cap * 2;
      uint8_t *grown = realloc(buf, next);
      if (grown == NULL) { free(buf); return JS_ThrowOutOfMemory(ctx); }
      buf = grown; cap = next;
    }
    ssize_t n = read(fd, buf + len, cap - len);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno; free(buf); errno = e;
      return fail_errno(ctx);
    }
    if (n == 0) break;
    len += (size_t)n;
  }
  JSValue out = JS_NewArrayBufferCopy(ctx, buf, len);
  free(buf);
  return out;
}

/* pread(fd, length, offset): up to length bytes at offset (fewer at EOF). */
FN(js_pread) {
  UNUSED_THIS;
  int fd; int64_t length, offset;
  if (arg_int(ctx, argv[0], &fd) || JS_ToInt64(ctx, &length, argv[1]) || JS_ToInt64(ctx, &offset, argv[2])) return JS_EXCEPTION;
  if (length < 0 || length > READ_MAX) return JS_ThrowRangeError(ctx, "pread: length %lld is not in 0..%lld", (long long)length, (long long)READ_MAX);
  if (offset < 0) return JS_ThrowRangeError(ctx, "pread: negative offset %lld", (long long)offset);
  uint8_t *buf = malloc(length > 0 ? (size_t)length : 1);
  if (buf == NULL) return JS_ThrowOutOfMemory(ctx);
  ssize_t n;
  do n = pread(fd, buf, (size_t)length, offset); while (n < 0 && errno == EINTR);
  if (n < 0) { int e = errno; free(buf); errno = e; return fail_errno(ctx); }
  JSValue out = JS_NewArrayBufferCopy(ctx, buf, (size_t)n);
  free(buf);
  return out;
}

/* write(fd, bytes): all of it (short writes continued), or -errno. */
FN(js_write) {
  UNUSED_THIS;
  int fd; size_t len;
  if (arg_int(ctx, argv[0], &fd)) return JS_EXCEPTION;
  uint8_t *buf = arg_bytes(ctx, argv[1], &len);
  if (buf == NULL) return JS_EXCEPTION;
  size_t done = 0;
  while (done < len) {
    ssize_t n = write(fd, buf + done, len - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno(ctx);
    }
    done += (size_t)n;
  }
  return JS_NewInt64(ctx, (int64_t)done);
}

static void set_num(JSContext *ctx, JSValue obj, const char *name, double v) { JS_SetPropertyStr(ctx, obj, name, JS_NewFloat64(ctx, v)); }

/* statx(dirfd, path, flags): the fields we use; ino as a BigInt (it is a u64 in /run/ostree-booted). */
FN(js_statx) {
  UNUSED_THIS;
  int dirfd, flags;
  if (arg_int(ctx, argv[0], &dirfd) || arg_int(ctx, argv[2], &flags)) return JS_EXCEPTION;
  const char *path = JS_ToCString(ctx, argv[1]);
  if (path == NULL) return JS_EXCEPTION;
  struct statx st;
  int r = statx(dirfd, path, flags, STATX_BASIC_STATS | STATX_MNT_ID, &st);
  JS_FreeCString(ctx, path);
  if (r < 0) return fail_errno(ctx);
  JSValue o = JS_NewObject(ctx);
  set_num(ctx, o, "mode", st.stx_mode);
  set_num(ctx, o, "nlink", st.stx_nlink);
  set_num(ctx, o, "uid", st.stx_uid);
  set_num(ctx, o, "gid", st.stx_gid);
  set_num(ctx, o, "size", (double)st.stx_size);
  set_num(ctx, o, "blocks", (double)st.stx_blocks);
  set_num(ctx, o, "devMajor", st.stx_dev_major);
  set_num(ctx, o, "devMinor", st.stx_dev_minor);
  set_num(ctx, o, "rdevMajor", st.stx_rdev_major);
  set_num(ctx, o, "rdevMinor", st.stx_rdev_minor);
  JS_SetPropertyStr(ctx, o, "ino", JS_NewBigUint64(ctx, st.stx_ino));
  set_num(ctx, o, "atimeSec", (double)st.stx_atime.tv_sec);
  set_num(ctx, o, "atimeNsec", st.stx_atime.tv_nsec);
  set_num(ctx, o, "mtimeSec", (double)st.stx_mtime.tv_sec);
  set_num(ctx, o, "mtimeNsec", st.stx_mtime.tv_nsec);
  set_num(ctx, o, "mountId", (double)st.stx_mnt_id);
  JS_SetPropertyStr(ctx, o, "mountRoot", JS_NewBool(ctx, (st.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (st.stx_attributes & STATX_ATTR_MOUNT_ROOT)));
  return o;
}

#define PATH_FN(name, call)                                                    \
  FN(name) {                                                                   \
    UNUSED_THIS;                                                               \
    int dirfd, a2 = 0;                                                         \
    if (arg_int(ctx, argv[0], &dirfd) || (argc > 2 && arg_int(ctx, argv[2], &a2))) return JS_EXCEPTION; \
    const char *path = JS_ToCString(ctx, argv[1]);                             \
    if (path == NULL) return JS_EXCEPTION;                                     \
    long r = (call);                                                           \
    JS_FreeCString(ctx, path);                                                 \
    return result_or_errno(ctx, r);                                            \
  }

/* mkdirat(dirfd, path, mode); unlinkat(dirfd, path, flags); fchmodat(dirfd, path, mode) (follows links). */
PATH_FN(js_mkdirat, mkdirat(dirfd, path, (mode_t)a2))
PATH_FN(js_unlinkat, unlinkat(dirfd, path, a2))
PATH_FN(js_fchmodat, fchmodat(dirfd, path, (mode_t)a2, 0))

/* readlinkat(dirfd, path) → string. */
FN(js_readlinkat) {
  UNUSED_THIS;
  int dirfd;
  if (arg_int(ctx, argv[0], &dirfd)) return JS_EXCEPTION;
  const char *path = JS_ToCString(ctx, argv[1]);
  if (path == NULL) return JS_EXCEPTION;
  char buf[PATH_MAX];
  ssize_t n = readlinkat(dirfd, path, buf, sizeof buf);
  JS_FreeCString(ctx, path);
  if (n < 0) return fail_errno(ctx);
  if ((size_t)n == sizeof buf) return JS_NewInt32(ctx, -ENAMETOOLONG);
  return JS_NewStringLen(ctx, buf, (size_t)n);
}

/* symlinkat(target, dirfd, path). */
FN(js_symlinkat) {
  UNUSED_THIS;
  int dirfd;
  if (arg_int(ctx, argv[1], &dirfd)) return JS_EXCEPTION;
  const char *target = JS_ToCString(ctx, argv[0]);
  if (target == NULL) return JS_EXCEPTION;
  const char *path = JS_ToCString(ctx, argv[2]);
  if (path == NULL) { JS_FreeCString(ctx, target); return JS_EXCEPTION; }
  int r = symlinkat(target, dirfd, path);
  JS_FreeCString(ctx, target);
  JS_FreeCString(ctx, path);
  return result_or_errno(ctx, r);
}

/* linkat(olddirfd, old, newdirfd, new, flags). */
FN(js_linkat) {
  UNUSED_THIS;
  int od, nd, flags;
  if (arg_int(ctx, argv[0], &od) || arg_int(ctx, argv[2], &nd) || arg_int(ctx, argv[4], &flags)) return JS_EXCEPTION;
  const char *from = JS_ToCString(ctx, argv[1]);
  if (from == NULL) return JS_EXCEPTION;
  const char *to = JS_ToCString(ctx, argv[3]);
  if (to == NULL) { JS_FreeCString(ctx, from); return JS_EXCEPTION; }
  int r = linkat(od, from, nd, to, flags);
  JS_FreeCString(ctx, from);
  JS_FreeCString(ctx, to);
  return result_or_errno(ctx, r);
}

/* renameat2(olddirfd, old, newdirfd, new, flags). */
FN(js_renameat2) {
  UNUSED_THIS;
  int od, nd; unsigned int flags;
  if (arg_int(ctx, argv[0], &od) || arg_int(ctx, argv[2], &nd) || arg_uint(ctx, argv[4], &flags)) return JS_EXCEPTION;
  const char *from = JS_ToCString(ctx, argv[1]);
  if (from == NULL) return JS_EXCEPTION;
  const char *to = JS_ToCString(ctx, argv[3]);
  if (to == NULL) { JS_FreeCString(ctx, from); return JS_EXCEPTION; }
  int r = renameat2(od, from, nd, to, flags);
  JS_FreeCString(ctx, from);
  JS_FreeCString(ctx, to);
  return result_or_errno(ctx, r);
}

/* fchownat(dirfd, path, uid, gid, flags). */
FN(js_fchownat) {
  UNUSED_THIS;
  int dirfd, uid, gid, flags;
  if (arg_int(ctx, argv[0], &dirfd) || arg_int(ctx, argv[2], &uid) || arg_int(ctx, argv[3], &gid) || arg_int(ctx, argv[4], &flags)) return JS_EXCEPTION;
  const char *path = JS_ToCString(ctx, argv[1]);
  if (path == NULL) return JS_EXCEPTION;
  int r = fchownat(dirfd, path, (uid_t)uid, (gid_t)gid, flags);
  JS_FreeCString(ctx, path);
  return result_or_errno(ctx, r);
}

/* utimensat(dirfd, path, atimeSec, atimeNsec, mtimeSec, mtimeNsec, flags). */
FN(js_utimensat) {
  UNUSED_THIS;
  int dirfd, flags; int64_t as, ans, ms, mns;
  if (arg_int(ctx, argv[0], &dirfd) || JS_ToInt64(ctx, &as, argv[2]) || JS_ToInt64(ctx, &ans, argv[3]) ||
      JS_ToInt64(ctx, &ms, argv[4]) || JS_ToInt64(ctx, &mns, argv[5]) || arg_int(ctx, argv[6], &flags)) return JS_EXCEPTION;
  const char *path = JS_ToCString(ctx, argv[1]);
  if (path == NULL) return JS_EXCEPTION;
  struct timespec ts[2] = { { .tv_sec = as, .tv_nsec = ans }, { .tv_sec = ms, .tv_nsec = mns } };
  int r = utimensat(dirfd, path, ts, flags);
  JS_FreeCString(ctx, path);
  return result_or_errno(ctx, r);
}

/* mknodat(dirfd, path, mode, major, minor). */
FN(js_mknodat) {
  UNUSED_THIS;
  int dirfd; unsigned int mode, maj, min;
  if (arg_int(ctx, argv[0], &dirfd) || arg_uint(ctx, argv[2], &mode) || arg_uint(ctx, argv[3], &maj) || arg_uint(ctx, argv[4], &min)) return JS_EXCEPTION;
  const char *path = JS_ToCString(ctx, argv[1]);
  if (path == NULL) return JS_EXCEPTION;
  int r = mknodat(dirfd, path, (mode_t)mode, makedev(maj, min));
  JS_FreeCString(ctx, path);
  return result_or_errno(ctx, r);
}

/* readdir(fd) → names without . and .., in directory order; fd stays open and usable. */
FN(js_readdir) {
  UNUSED_THIS;
  int fd;
  if (arg_int(ctx, argv[0], &fd)) return JS_EXCEPTION;
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return fail_errno(ctx);
  DIR *dir = fdopendir(copy);
  if (dir == NULL) { int e = errno; close(copy); errno = e; return fail_errno(ctx); }
  rewinddir(dir);
  JSValue names = JS_NewArray(ctx);
  uint32_t i = 0;
  for (;;) {
    errno = 0;
    struct dirent *d = readdir(dir);
    if (d == NULL) break;
    if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0) continue;
    JS_SetPropertyUint32(ctx, names, i++, JS_NewString(ctx, d->d_name));
  }
  int e = errno;
  closedir(dir);
  if (e != 0) { JS_FreeValue(ctx, names); return JS_NewInt32(ctx, -e); }
  return names;
}

#define FD_FN(name, call)                                                      \
  FN(name) {                                                                   \
    UNUSED_THIS;                                                               \
    int fd, a1 = 0;                                                            \
    if (arg_int(ctx, argv[0], &fd) || (argc > 1 && arg_int(ctx, argv[1], &a1))) return JS_EXCEPTION; \
    return result_or_errno(ctx, (call));                                       \
  }

FD_FN(js_fsync, fsync(fd))
FD_FN(js_syncfs, syncfs(fd))
FD_FN(js_fchmod, fchmod(fd, (mode_t)a1))
FD_FN(js_flock, flock(fd, a1))
FD_FN(js_ftruncate, ftruncate(fd, a1))

/* fstatfs(fd) → { type, bsize, blocks, bfree, bavail, files, ffree, flags }. */
FN(js_fstatfs) {
  UNUSED_THIS;
  int fd;
  if (arg_int(ctx, argv[0], &fd)) return JS_EXCEPTION;
  struct statfs s;
  if (fstatfs(fd, &s) < 0) return fail_errno(ctx);
  JSValue o = JS_NewObject(ctx);
  set_num(ctx, o, "type", (double)(unsigned long)s.f_type);
  set_num(ctx, o, "bsize", (double)s.f_bsize);
  set_num(ctx, o, "blocks", (double)s.f_blocks);
  set_num(ctx, o, "bfree", (double)s.f_bfree);
  set_num(ctx, o, "bavail", (double)s.f_bavail);
  set_num(ctx, o, "files", (double)s.f_files);
  set_num(ctx, o, "ffree", (double)s.f_ffree);
  set_num(ctx, o, "flags", (double)s.f_flags);
  return o;
}

/* copyData(infd, outfd) → bytes copied: copy_file_range, falling back to read/write where the
 * kernel cannot (across filesystems of some kinds). */
FN(js_copy_data) {
  UNUSED_THIS;
  int in, out;
  if (arg_int(ctx, argv[0], &in) || arg_int(ctx, argv[1], &out)) return JS_EXCEPTION;
  int64_t total = 0;
  int plain = 0;
  for (;;) {
    ssize_t n;
    if (!plain) {
      n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
      if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == EOPNOTSUPP || errno == ENOSYS)) { plain = 1; continue; }
    } else {
      static uint8_t buf[1 << 16];
      n = read(in, buf, sizeof buf);
      for (ssize_t done = 0; n > 0 && done < n;) {
        ssize_t w = write(out, buf + done, (size_t)(n - done));
        if (w < 0) { if (errno == EINTR) continue; return fail_errno(ctx); }
        done += w;
      }
    }
    if (n < 0) { if (errno == EINTR) continue; return fail_errno(ctx); }
    if (n == 0) break;
    total += n;
  }
  return JS_NewInt64(ctx, total);
}

/* realpath(path) → canonical path. */
FN(js_realpath) {
  UNUSED_THIS;
  const char *path = JS_ToCString(ctx, argv[0]);
  if (path == NULL) return JS_EXCEPTION;
  char buf[PATH_MAX];
  char *r = realpath(path, buf);
  JS_FreeCString(ctx, path);
  if (r == NULL) return fail_errno(ctx);
  return JS_NewString(ctx, buf);
}

/* lgetxattr(path, name) → ArrayBuffer. */
FN(js_lgetxattr) {
  UNUSED_THIS;
  const char *path = JS_ToCString(ctx, argv[0]);
  if (path == NULL) return JS_EXCEPTION;
  const char *name = JS_ToCString(ctx, argv[1]);
  if (name == NULL) { JS_FreeCString(ctx, path); return JS_EXCEPTION; }
  uint8_t buf[65536];
  ssize_t n = lgetxattr(path, name, buf, sizeof buf);
  JS_FreeCString(ctx, path);
  JS_FreeCString(ctx, name);
  if (n < 0) return fail_errno(ctx);
  return JS_NewArrayBufferCopy(ctx, buf, (size_t)n);
}

/* llistxattr(path) → names. */
FN(js_llistxattr) {
  UNUSED_THIS;
  const char *path = JS_ToCString(ctx, argv[0]);
  if (path == NULL) return JS_EXCEPTION;
  char buf[65536];
  ssize_t n = llistxattr(path, buf, sizeof buf);
  JS_FreeCString(ctx, path);
  if (n < 0) return fail_errno(ctx);
  JSValue names = JS_NewArray(ctx);
  uint32_t i = 0;
  for (ssize_t at = 0; at < n; at += (ssize_t)strlen(buf + at) + 1) JS_SetPropertyUint32(ctx, names, i++, JS_NewString(ctx, buf + at));
  return names;
}

/* lsetxattr(path, name, bytes, flags). */
FN(js_lsetxattr) {
  UNUSED_THIS;
  int flags; size_t len;
  if (arg_int(ctx, argv[3], &flags)) return JS_EXCEPTION;
  uint8_t *value = arg_bytes(ctx, argv[2], &len);
  if (value == NULL) return JS_EXCEPTION;
  const char *path = JS_ToCString(ctx, argv[0]);
  if (path == NULL) return JS_EXCEPTION;
  const char *name = JS_ToCString(ctx, argv[1]);
  if (name == NULL) { JS_FreeCString(ctx, path); return JS_EXCEPTION; }
  int r = lsetxattr(path, name, value, len, flags);
  JS_FreeCString(ctx, path);
  JS_FreeCString(ctx, name);
  return result_or_errno(ctx, r);
}

const JSCFunctionListEntry native_files[] = {
  JS_CFUNC_DEF("openat", 5, js_openat),
  JS_CFUNC_DEF("close", 1, js_close),
  JS_CFUNC_DEF("read", 2, js_read),
  JS_CFUNC_DEF("pread", 3, js_pread),
  JS_CFUNC_DEF("write", 2, js_write),
  JS_CFUNC_DEF("statx", 3, js_statx),
  JS_CFUNC_DEF("mkdirat", 3, js_mkdirat),
  JS_CFUNC_DEF("unlinkat", 3, js_unlinkat),
  JS_CFUNC_DEF("fchmodat", 3, js_fchmodat),
  JS_CFUNC_DEF("readlinkat", 2, js_readlinkat),
  JS_CFUNC_DEF("symlinkat", 3, js_symlinkat),
  JS_CFUNC_DEF("linkat", 5, js_linkat),
  JS_CFUNC_DEF("renameat2", 5, js_renameat2),
  JS_CFUNC_DEF("fchownat", 5, js_fchownat),
  JS_CFUNC_DEF("utimensat", 7, js_utimensat),
  JS_CFUNC_DEF("mknodat", 5, js_mknodat),
  JS_CFUNC_DEF("readdir", 1, js_readdir),
  JS_CFUNC_DEF("fsync", 1, js_fsync),
  JS_CFUNC_DEF("syncfs", 1, js_syncfs),
  JS_CFUNC_DEF("fchmod", 2, js_fchmod),
  JS_CFUNC_DEF("flock", 2, js_flock),
  JS_CFUNC_DEF("ftruncate", 2, js_ftruncate),
  JS_CFUNC_DEF("fstatfs", 1, js_fstatfs),
  JS_CFUNC_DEF("copyData", 2, js_copy_data),
  JS_CFUNC_DEF("realpath", 1, js_realpath),
  JS_CFUNC_DEF("lgetxattr", 2, js_lgetxattr),
  JS_CFUNC_DEF("llistxattr", 1, js_llistxattr),
  JS_CFUNC_DEF("lsetxattr", 4, js_lsetxattr),
};
const size_t native_files_count = sizeof native_files / sizeof native_files[0];
