#!/bin/bash
# test-init.sh TREE: put a static busybox at TREE/usr/bin/busybox and a /usr/sbin/init script
# that proves a pivot into TREE worked and shows its mounts. It runs where no host library
# exists, so busybox must be static: Debian's busybox-static puts one at /bin/busybox (the
# dynamic `busybox` package would not do).
set -euo pipefail
T=${1:?usage: test-init.sh TREE}
if [ ! -x /bin/busybox ] || ldd /bin/busybox >/dev/null 2>&1; then
  apt-get install -y -qq busybox-static >/dev/null
fi
mkdir -p "$T/usr/bin" "$T/usr/sbin"
cp /bin/busybox "$T/usr/bin/busybox"
cat > "$T/usr/sbin/init" <<'INIT'
#!/usr/bin/busybox sh
echo PREPARE_ROOT_TEST_INIT_OK pid=$$
/usr/bin/busybox cat /proc/self/mountinfo
INIT
chmod 755 "$T/usr/sbin/init"
