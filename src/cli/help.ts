// prepare-root --help.
import { DEFAULT_INIT } from '../base/paths.js';

export const HELP = `Usage:
  prepare-root [run] SYSROOT [KERNEL_CMDLINE] [--pivot [--init PATH]] [--verbose]
  prepare-root plan SYSROOT [KERNEL_CMDLINE] [--config FILE]... [--json]
  prepare-root check-config [FILE...] [--plain] [--root IMAGE]
  prepare-root status [--json] [--root DIR]
  prepare-root diff [--json] [--root DIR] [PATH...]
  prepare-root diff --upper DIR --lower DIR[:DIR...] [--json] [PATH...]
  prepare-root checkpoint [--root DIR]
  prepare-root relabel [--root DIR]
  prepare-root --help | --version

Turns the physical root mounted at SYSROOT (normally /sysroot) into the ostree deployment named
by the kernel command line (ostree=...), as ostree-prepare-root does: a bind-mounted deployment,
or a transient overlay root ([root] transient / transient-ro) whose writes vanish at reboot, with
persistent /etc and /var. The physical root ends up at SYSROOT/sysroot. With SELinux enabled,
each upper gets the label of the image content it stands in for.

Without ostree= the root is plain (any distribution): the config comes from
/usr/lib/prepare-root/prepare-root.conf, replaced by /etc/prepare-root/prepare-root.conf, and
rd.prepare-root=transient|transient-ro|off overrides its root mode for one boot. A transient /
is an overlay of the physical root with a tmpfs upper; /etc and /var stay persistent unless
[etc] / [var] transient=true; the physical root stays reachable read-only at
/run/prepare-root/physical-root. Swap files in its /etc/fstab are bound from the disk. Nothing
asked for (no config, no karg, or rd.prepare-root=off): exit 0, nothing mounted.

Commands:
  run           (default) prepare SYSROOT. KERNEL_CMDLINE replaces /proc/cmdline.
                Writes /run/ostree-booted (ostree boots only) and /run/prepare-root/status.json. On failure every
                completed step is undone, one line "prepare-root: <what>: <why>" goes to stderr
                (and /dev/kmsg), and the exit status is 1. A second run after success exits 0.
  plan          print the ordered mount plan for SYSROOT without changing anything (no
                privileges needed). --config FILE replaces the initramfs config files (repeat
                for /usr/lib then /etc order).
  check-config  lint prepare-root.conf files (default: the ones this system would read, ostree's
                and a plain root's). --plain: the FILEs are a plain root's. --root IMAGE: also
                check the plain-root config against that root (its fstab's swap files).
                Exit 0 when clean (warnings are printed), 1 on errors.
  status        on the booted system: the mode, each overlay with its lower, upper and the
                filesystem holding the upper (a tmpfs: how full), integrity state, and the
                warnings recorded at boot. Reads /run/prepare-root/status.json, /run/ostree-booted
                (also when ostree-prepare-root booted the system) and the live mount table.
                Warns when a transient tmpfs is over 80% full, and with SELinux when / or /etc
                is labelled otherwise than what it stands in for.
  diff          what will be lost at reboot: every entry in the upper layer of each transient
                overlay (root, /etc), as added, modified, metadata only, deleted (whiteout) or
                replaced directory (opaque), with sizes; a summary line first. PATH limits it.
                --upper/--lower: the same for any overlay upper/lower pair, mounted or not.
  checkpoint    at clean shutdown (prepare-root-checkpoint.service): sync each volatile
                overlay's upper and record that it is whole, so the next boot reuses it
                instead of quarantining it. Exit 1 when a write-back error was found.
  relabel       right after systemd loads the SELinux policy (prepare-root-relabel.service):
                give every entry of the tmpfs uppers (transient /, /etc, transient overlays)
                the label recorded at boot in /run/prepare-root/labels.json, through the
                overlay. Loading the policy resets tmpfs files to the tmpfs label, so / would
                show tmpfs_t instead of the image's label. Does nothing without SELinux or
                before the policy is loaded; exit 1 when a label could not be set.

Options:
  --pivot        after preparing, switch into SYSROOT and exec init (initramfs without
                 systemd). Implied when running as PID 1.
  --init PATH    the init to exec in pivot mode (default ${DEFAULT_INIT}).
  --json         machine-readable output (plan, status, diff; see docs/status.schema.json).
  --root DIR     where the booted root is mounted (default /), e.g. /sysroot in the initramfs;
                 for check-config, the image a plain-root config is for.
  --plain        check-config: the files are for a plain root (no ostree=).
  --upper DIR, --lower DIR[:DIR...]
                 diff this upper against these lower layers (top first).
  --verbose      print each operation (as the equivalent mount(8) command) before it runs.
  -h, --help     this text.  -V, --version  print the version.

Configuration (GLib key file, /usr/lib/ostree/prepare-root.conf, replaced wholesale by
/etc/ostree/prepare-root.conf when that exists):
  [sysroot] readonly=BOOL      physical root read-only; /etc and the stateroot /var stay writable
  [root] transient=BOOL        / is an overlay over the deployment with a tmpfs upper
  [root] transient-ro=BOOL     the same, mounted read-only
  [root] transient-size=SIZE   size of that tmpfs (e.g. 2G, 512M, 50%; default: tmpfs default)
  [root] upper-device=DEV      plain roots: that overlay's upper on DEV (LABEL=, UUID=, PARTUUID=,
                               PARTLABEL= or /dev/...; [root] upper-fstype, default ext4) instead
                               of a tmpfs: changes persist until a boot with rd.prepare-root.reset
  [etc] transient=BOOL         /etc is an overlay over usr/etc (plain: /etc) with a tmpfs upper
  [var] transient=BOOL         plain roots: /var is an overlay with a tmpfs upper
  [composefs] enabled=no|maybe|yes|verity|signed
                               / from the deployment's .ostree.cfs image; maybe falls back to a bind
                               mount without one; verity requires fs-verity on every file; signed
                               also checks the commit's ed25519 signature against [composefs]
                               keypath (default /etc/ostree/initramfs-root-binding.key) and the
                               image's kernel-measured fs-verity digest
  [persist] paths=P1;P2;...    keep these paths across reboots, also inside a transient / or
                               /etc: each is bind-mounted from a store under the stateroot's
                               var/lib/prepare-root/persist, seeded from the image on first use
  [overlay PATH] lower=L1:L2 upper=state|transient
                               a writable overlay on PATH (lower default: PATH itself; a lower may
                               be another declared overlay). state: kept under the stateroot /var
                               and, after an update, pruned as ostree's state overlays are
                               (changes to base content reverted, added files kept); transient:
                               on a tmpfs. volatile=true (state only): mounted without syncs,
                               reused after a checkpointed shutdown, quarantined otherwise
Plain roots read [root], [etc], [var], [persist] and [overlay] (their state under the root's own
/var/lib/prepare-root). Booleans are true/false/1/0. Kernel arguments: ostree=,
androidboot.slot_suffix=, ostree.prepare-root.composefs=, rd.prepare-root=, rd.prepare-root.reset.`;
