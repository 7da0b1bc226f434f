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

# root.upper-device of the plain-root config (the later file replaces the earlier, as at boot),
# as a device node: the boot waits for it as for the root device, the systemd unit ordered after it.
upper_device() {
    local conf file= dev
    for conf in /usr/lib/prepare-root/prepare-root.conf /etc/prepare-root/prepare-root.conf; do
        [[ -e "$conf" ]] && file=$conf
    done
    [[ -n "$file" ]] || return 0
    dev=$(sed -n 's/^[[:space:]]*upper-device[[:space:]]*=[[:space:]]*//p' "$file" | tail -1)
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
    if dracut_module_included "ostree"; then
        derror "prepare-root: the ostree module is included too; both prepare /sysroot. Add omit_dracutmodules+=\" ostree \"."
        return 1
    fi
    inst_simple "$prepare_root_binary" /usr/lib/prepare-root/prepare-root
    local conf keypath
    for conf in /usr/lib/ostree/prepare-root.conf /etc/ostree/prepare-root.conf \
        /usr/lib/prepare-root/prepare-root.conf /etc/prepare-root/prepare-root.conf; do
        [[ -e "$conf" ]] && inst_simple "$conf"
    done
    # The key file for composefs signed: the configured keypath, else the default one, if present.
    keypath=$(sed -n 's/^[[:space:]]*keypath[[:space:]]*=[[:space:]]*//p' /usr/lib/ostree/prepare-root.conf /etc/ostree/prepare-root.conf 2>/dev/null | tail -1)
    keypath=${keypath:-/etc/ostree/initramfs-root-binding.key}
    [[ -e "$keypath" ]] && inst_simple "$keypath"
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
