#!/bin/bash
# mkplain.sh ROOT: a small plain (non-ostree) root of the Debian kind, written into ROOT (e.g.
# an empty tmpfs): usr-merged, a real /etc and /var, a home, a swap file listed in /etc/fstab,
# and /sbin/init a busybox script that proves a pivot worked. What a plain-root boot starts from.
set -euo pipefail
R=${1:?usage: mkplain.sh ROOT}
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$R"
mkdir -p usr/bin usr/sbin usr/lib etc/ssh var/lib var/log var/tmp home/user root dev proc run sys tmp boot
ln -s usr/bin bin; ln -s usr/sbin sbin; ln -s usr/lib lib; ln -s usr/lib lib64
printf 'NAME="PlainOS"\nID=plainos\nVERSION_ID=1\nPRETTY_NAME="PlainOS 1"\n' > usr/lib/os-release
ln -s ../usr/lib/os-release etc/os-release
echo plain-host > etc/hostname
printf 'root:x:0:0:root:/root:/bin/sh\n' > etc/passwd
echo "host key" > etc/ssh/ssh_host_key; chmod 600 etc/ssh/ssh_host_key
setfattr -n user.prepare-root-test -v kept etc/ssh/ssh_host_key
printf 'LABEL=plain-root / ext4 errors=remount-ro 0 1\n/swapfile none swap sw 0 0\n' > etc/fstab
echo "hello from usr" > usr/lib/hello.txt
echo "var data" > var/lib/data.txt
echo "user file" > home/user/notes.txt
bash "$HERE/test-init.sh" .
