#!/bin/sh
# ExecStop of late-writer.service: writes /usr/local/vmtest-late-write (a volatile state overlay
# in that scenario) saying whether this mount's checkpoint was already taken, that is whether
# prepare-root-checkpoint.service stopped before this ordinary service did. The next boot reports
# the file (plain-report.sh).
dir=$(sed -n 's/.*"dir": "\(.*usr%2Flocal\)".*/\1/p' /run/prepare-root/status.json | head -1)
token=$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' "$dir/volatile-mount" 2>/dev/null)
taken=no
grep -q "\"token\":\"$token\"" "$dir/checkpoint" 2>/dev/null && taken=yes
echo "written at shutdown of boot $(cat /proc/sys/kernel/random/boot_id); checkpoint already taken: $taken" \
  > /usr/local/vmtest-late-write
sync -f /usr/local/vmtest-late-write
