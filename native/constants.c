/* The kernel ABI numbers the TypeScript side passes back in (flags differ between
 * architectures, e.g. O_DIRECTORY on arm64), taken from the C headers. */
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/mount.h>
#include "native.h"

#define C(name) JS_PROP_INT64_DEF(#name, name, JS_PROP_ENUMERABLE)

const JSCFunctionListEntry native_constants[] = {
  C(O_RDONLY), C(O_WRONLY), C(O_RDWR), C(O_CREAT), C(O_EXCL), C(O_TRUNC), C(O_APPEND),
  C(O_DIRECTORY), C(O_NOFOLLOW), C(O_PATH), C(O_NONBLOCK), C(O_NOCTTY),
  C(AT_FDCWD), C(AT_SYMLINK_NOFOLLOW), C(AT_EMPTY_PATH), C(AT_REMOVEDIR), C(AT_RECURSIVE),
  C(RESOLVE_NO_MAGICLINKS), C(RESOLVE_NO_SYMLINKS),
  C(RENAME_NOREPLACE),
  C(MS_PRIVATE), C(MS_SLAVE), C(MS_SHARED),
  C(MNT_DETACH), C(UMOUNT_NOFOLLOW),
  C(MOUNT_ATTR_RDONLY),
  C(FSCONFIG_SET_FLAG), C(FSCONFIG_SET_STRING), C(FSCONFIG_CMD_CREATE), C(FSCONFIG_CMD_RECONFIGURE),
  C(FSPICK_NO_AUTOMOUNT), C(FSPICK_SYMLINK_NOFOLLOW),
  C(MOVE_MOUNT_F_EMPTY_PATH), C(OPEN_TREE_CLONE),
  C(LOCK_EX), C(LOCK_NB),
  /* Only the errnos the platform layer tests for; names of all come from errnoName(). */
  C(EPERM), C(ENOENT), C(ENOTDIR), C(EAGAIN), C(ELOOP), C(ENODATA), C(EEXIST),
};
const size_t native_constants_count = sizeof native_constants / sizeof native_constants[0];
