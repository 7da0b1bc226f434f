#!/bin/sh
# dracut without systemd (pre-mount hook, sourced by PID 1): dracut accepts a mounted root only
# if it looks like an OS (ld.so, or proc/ sys/ dev/); an ostree physical root may hold just
# boot/ and ostree/, and would be unmounted again. With ostree= on the command line, a root
# with ostree/deploy is the right one: the cleanup hook turns it into the deployment.
if getargbool 0 ostree || getarg ostree= >/dev/null; then
    usable_root() {
        [ -d "$1/ostree/deploy" ]
    }
fi
