#!/bin/bash
# dracut module: prepare-root prepares /sysroot before switch-root: the ostree deployment, or a
# plain root (no ostree=) as its config asks.
# Installs the binary (one static executable: no libraries, no tools), the build root's
# prepare-root.conf files (and the composefs key), and either the systemd unit or, without
# systemd, hooks that hand over in pivot mode.

# Only when asked for (add_dracutmodules+=" prepare-root "), like ostree's module.
# Where the binary comes from on the build host (tests point it at their build).
prepare_root_binary=${prepare_root_binary:-/usr/lib/prepare-root/prepare-root}

check() {
    [[ -x "$prepare_root_binary" ]] || return 1
    return 255
}

depends() {
    return 0
}

# Check the build root's configs as each kind of boot reads them (the binary itself, with the
# boot's own rules): what would stop that boot stops the build, naming file, line and key; what
# would only warn at boot is shown as a warning. Prints nothing on stdout.
check_configs() {
    local kind out rc line
    for kind in ostree plain; do
        rc=0
        out=$("$prepare_root_binary" check-config --boot "$kind" 2>&1 >/dev/null) || rc=$?
        while IFS= read -r line; do
            [[ -n "$line" ]] || continue
            if [[ $rc -eq 0 ]]; then dwarning "$line"; else derror "$line"; fi
        done <<< "$out"
        if [[ $rc -ne 0 ]]; then
            dfatal "prepare-root: the $kind-boot config above would fail the boot: fix it, then build the initramfs again"
            return 1
        fi
    done
}

# One setting of the effective config of a KIND boot, as the boot resolves it (the /etc file
# replaces the /usr/lib one wholesale): asked of the binary, never parsed here.
config_value() {
    "$prepare_root_binary" check-config --boot "$1" --get "$2" 2>/dev/null
}

# root.upper-device as a device node: the boot waits for it as for the root device, the
# systemd unit ordered after it.
upper_device() {
    local dev
    dev=$(config_value plain root.upper-device)
    case $dev in
        LABEL=*) dev=/dev/disk/by-label/${dev#LABEL=} ;;
        UUID=*) dev=/dev/disk/by-uuid/${dev#UUID=} ;;
        PARTUUID=*) dev=/dev/disk/by-partuuid/${dev#PARTUUID=} ;;
        PARTLABEL=*) dev=/dev/disk/by-partlabel/${dev#PARTLABEL=} ;;
    esac
    echo "$dev"
}

installkernel() {
    hostonly='' instmods overlay erofs loop
}

install() {
    # dracut ignores what install() returns: what must stop the build exits it.
    if dracut_module_included "ostree"; then
        dfatal "prepare-root: the ostree module is included too; both prepare /sysroot. Add omit_dracutmodules+=\" ostree \"."
        exit 1
    fi
    check_configs || exit 1
    inst_simple "$prepare_root_binary" /usr/lib/prepare-root/prepare-root
    local conf keypath
    for conf in /usr/lib/ostree/prepare-root.conf /etc/ostree/prepare-root.conf \
        /usr/lib/prepare-root/prepare-root.conf /etc/prepare-root/prepare-root.conf; do
        [[ -e "$conf" ]] && inst_simple "$conf"
    done
    # The key file for composefs signed, where the effective config says (its default when it
    # names none): the check above already failed the build if signing needs it and it is missing.
    # Copied when present even without signing: ostree.prepare-root.composefs=signed may ask at boot.
    keypath=$(config_value ostree composefs.keypath)
    [[ -n "$keypath" && -e "$keypath" ]] && inst_simple "$keypath"
    local dev
    dev=$(upper_device)
    if dracut_module_included "systemd"; then
        inst_simple "$moddir/prepare-root.service" "$systemdsystemunitdir/prepare-root.service"
        # Units ordered on ostree's unit keep working: it is an alias of ours.
        ln_r "$systemdsystemunitdir/prepare-root.service" "$systemdsystemunitdir/ostree-prepare-root.service"
        $SYSTEMCTL -q --root "$initdir" add-wants initrd-root-fs.target prepare-root.service
        if [[ -n "$dev" ]]; then
            local unit
            unit=$(systemd-escape --path --suffix=device "$dev")
            mkdir -p "$initdir/etc/systemd/system/prepare-root.service.d"
            printf '[Unit]\nWants=%s\nAfter=%s\n' "$unit" "$unit" > "$initdir/etc/systemd/system/prepare-root.service.d/upper-device.conf"
        fi
    else
        # dracut's own udevd is stopped before the hand-over, as its init does before switching root.
        inst_multiple udevadm
        inst_hook pre-mount 50 "$moddir/prepare-root-usable-root.sh"
        inst_hook cleanup 99 "$moddir/prepare-root-pivot.sh"
        if [[ -n "$dev" ]]; then
            printf '#!/bin/sh\n# prepare-root: wait for root.upper-device as for the root device.\nwait_for_dev "%s"\n' "$dev" > "$DRACUT_TMPDIR/prepare-root-upper-device.sh"
            inst_hook cmdline 60 "$DRACUT_TMPDIR/prepare-root-upper-device.sh"
        fi
    fi
}
