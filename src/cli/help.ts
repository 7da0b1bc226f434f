// prepare-root --help, and each command's own (`prepare-root status --help`): one table, so the
// overview and the per-command texts cannot drift apart.
import { DEFAULT_INIT } from '../base/paths.js';
import type { Command } from './args.js';

interface CommandHelp {
  readonly usage: readonly string[];
  /** The description, indented under the command's name in the overview. */
  readonly text: string;
  readonly options: readonly string[];
}

const OPTIONS: Record<string, string> = {
  pivot: `  --pivot        after preparing, switch into SYSROOT and exec init (initramfs without
                 systemd). Implied when running as PID 1, which never exits: on failure the
                 error goes to the console, then an emergency shell from the initramfs
                 (/bin/sh; exit it to try again), or it holds when there is none.`,
  init: `  --init PATH    the init to exec in pivot mode (default ${DEFAULT_INIT}); without --pivot, only
                 check that the new root has it before preparing, for a later run that hands
                 over in pivot mode (the record says handover pivot).`,
  verbose: '  --verbose      print each operation (as the equivalent mount(8) command) before it runs.',
  config: `  --config FILE  read FILE instead of the initramfs config files (repeat for the /usr/lib,
                 then /etc order: the last one in effect, as at boot).`,
  json: '  --json         machine-readable output (see docs/status.schema.json, docs/diff.schema.json).',
  plain: '  --plain        the FILEs are a plain root’s config (no ostree=), not ostree’s.',
  chain: `  --chain        the FILEs are one precedence chain, in reading order (the /usr/lib file,
                 then the /etc one): also say what a later file makes the boot ignore.
                 Without it each FILE is checked on its own.`,
  checkJson: `  --json         the findings as JSON (see docs/check-config.schema.json).`,
  checkRoot: `  --root IMAGE   the image the config is for: the signing keys are looked up there, and a
                 plain root's config is checked against the swap files its /etc/fstab lists.`,
  boot: `  --boot KIND    check the config files a KIND boot (ostree or plain) reads, as one chain in
                 the boot's precedence and by the boot's own rules: exit 1 exactly when that
                 boot would fail on them, warnings as the boot prints them. For initramfs
                 builders (the dracut module and the initramfs-tools hook run it); with
                 --root IMAGE, IMAGE's files.
  --get KEY      with --boot: print the effective value of KEY (composefs.keypath,
                 composefs.enabled, root.upper-device, root.upper-fstype; empty when unset).`,
  root: '  --root DIR     where the booted root is mounted (default /), e.g. /sysroot in the initramfs.',
  planNoInitramfs: `  --no-initramfs as the kernel's init would plan it (init=, no initramfs): the config files
                 from SYSROOT (a plain root) or the deployment ostree= names, not from this
                 system; composefs signed is refused (its keys need an initramfs).`,
  checkNoInitramfs: `  --no-initramfs with --boot: a boot without an initramfs, which reads the files from the
                 image (--root) itself; composefs signed is an error (its keys need an initramfs).`,
  diffPair: `  --upper DIR, --lower DIR[:DIR...]
                 diff this upper against these lower layers (top first), mounted or not.`,
};

export const COMMAND_HELP: Record<Command, CommandHelp> = {
  run: {
    usage: ['prepare-root [run] SYSROOT [KERNEL_CMDLINE] [--pivot] [--init PATH] [--verbose]'],
    text: `(default) prepare SYSROOT, an absolute path (normally /sysroot). KERNEL_CMDLINE replaces
/proc/cmdline. Writes /run/ostree-booted (ostree boots only) and /run/prepare-root/status.json.
On failure every completed step is undone, one line "prepare-root: <what>: <why>" goes to
stderr (and /dev/kmsg), and the exit status is 1. A second run after success exits 0.`,
    options: [OPTIONS.pivot!, OPTIONS.init!, OPTIONS.verbose!],
  },
  plan: {
    usage: ['prepare-root plan SYSROOT [KERNEL_CMDLINE] [--config FILE]... [--no-initramfs] [--json]'],
    text: `print the ordered mount plan for SYSROOT without changing anything (no privileges
needed): each step as a command line that can be pasted into a shell, and why it is there.`,
    options: [OPTIONS.config!, OPTIONS.planNoInitramfs!, OPTIONS.json!],
  },
  'check-config': {
    usage: [
      'prepare-root check-config [FILE...] [--plain] [--chain] [--root IMAGE] [--json]',
      'prepare-root check-config --boot ostree|plain [--root IMAGE] [--no-initramfs] [--get KEY]',
    ],
    text: `lint prepare-root.conf files (default: the ones this system would read, ostree's and
a plain root's), more strictly than a boot: an unknown group or key is an error (with the
key you probably meant). Exit 0 when clean (warnings are printed), 1 on errors.`,
    options: [
      OPTIONS.plain!,
      OPTIONS.chain!,
      OPTIONS.checkRoot!,
      OPTIONS.checkJson!,
      OPTIONS.boot!,
      OPTIONS.checkNoInitramfs!,
    ],
  },
  status: {
    usage: ['prepare-root status [--json] [--root DIR]'],
    text: `on the booted system: how this boot went (prepared, left untouched and why, or failed
with the error and what was rolled back), the mode, each overlay with its lower, upper and
the filesystem holding the upper (a tmpfs: how full), integrity state, and the warnings
recorded at boot. Reads /run/prepare-root/status.json, /run/ostree-booted (also when
ostree-prepare-root booted the system) and the live mount table. Warns when a transient
tmpfs is over 80% full, and with SELinux when / or /etc is labelled otherwise than what it
stands in for. Exit 3 when the boot's record says it failed.`,
    options: [OPTIONS.json!, OPTIONS.root!],
  },
  diff: {
    usage: [
      'prepare-root diff [--json] [--root DIR] [PATH...]',
      'prepare-root diff --upper DIR --lower DIR[:DIR...] [--json] [PATH...]',
    ],
    text: `what will be lost at reboot: every entry in the upper layer of each transient overlay
(root, /etc), as added, modified, metadata only, deleted (whiteout) or replaced directory
(opaque), with sizes; a summary line first. PATH limits it.`,
    options: [OPTIONS.json!, OPTIONS.root!, OPTIONS.diffPair!],
  },
  checkpoint: {
    usage: ['prepare-root checkpoint [--root DIR]'],
    text: `at clean shutdown (prepare-root-checkpoint.service): sync each volatile overlay's
upper and record that it is whole, so the next boot reuses it instead of quarantining it.
Exit 1 when a write-back error was found.`,
    options: [OPTIONS.root!],
  },
  relabel: {
    usage: ['prepare-root relabel [--root DIR]'],
    text: `right after systemd loads the SELinux policy (prepare-root-relabel.service): give every
entry of the tmpfs uppers (transient /, /etc, transient overlays) the label recorded at boot
in /run/prepare-root/labels.json, through the overlay. Loading the policy resets tmpfs files
to the tmpfs label, so / would show tmpfs_t instead of the image's label. Does nothing
without SELinux or before the policy is loaded; exit 1 when a label could not be set.`,
    options: [OPTIONS.root!],
  },
};

const EXIT_STATUS = `Exit status: 0 success; 1 failure (one line says why); 2 usage error; 3 (status) the
boot's record says it failed.`;

/** One command's help: its usage, what it does, its options. */
export function commandHelp(command: Command): string {
  const h = COMMAND_HELP[command];
  return `Usage:\n${h.usage.map((u) => `  ${u}`).join('\n')}\n\n${h.text}\n\nOptions:\n${h.options.join('\n')}\n  -h, --help     this text.\n\n${EXIT_STATUS}`;
}

const OVERVIEW = `Turns the physical root mounted at SYSROOT (normally /sysroot) into the ostree deployment named
by the kernel command line (ostree=...), as ostree-prepare-root does: a bind-mounted deployment,
or a transient overlay root ([root] transient / transient-ro) whose writes vanish at reboot, with
persistent /etc and /var. The physical root ends up at SYSROOT/sysroot. With SELinux enabled,
each upper gets the label of the image content it stands in for.

Without ostree= the root is plain (any distribution): the config comes from
/usr/lib/prepare-root/prepare-root.conf, replaced by /etc/prepare-root/prepare-root.conf, and
rd.prepare-root=transient|transient-ro|off overrides its root mode for one boot (the last one on
the command line wins; off leaves the root alone without reading the config). A transient / is
an overlay of the physical root with a tmpfs upper; /etc and /var stay persistent unless [etc] /
[var] transient=true; the physical root stays reachable read-only at
/run/prepare-root/physical-root. Swap files in its /etc/fstab are bound from the disk. Nothing
asked for (no config, no karg, or rd.prepare-root=off): exit 0, nothing mounted.

Without an initramfs: as the kernel's init (init=/usr/lib/prepare-root/prepare-root on a plain
root), it mounts a tmpfs over / (the physical root is not written), the physical root at
/sysroot in it, /proc, /sys, /dev and /run, reads the config files from the root (or the
deployment) and loads overlay (erofs, loop) from its /usr/lib/modules/RELEASE, prepares as from
an initramfs, and executes /sbin/init (or prepare-root.init=PATH) with the kernel's arguments.
rd.modules-load= modules are loaded too; root.upper-device=LABEL= (UUID=, PARTUUID=, PARTLABEL=)
is found without udev and waited for up to rootdelay= seconds (30).
A failure: the error on the console and a shell from the physical root, never an exit.`;

const CONFIGURATION = `Configuration (GLib key file, /usr/lib/ostree/prepare-root.conf, replaced wholesale by
/etc/ostree/prepare-root.conf when that exists):
  [sysroot] readonly=BOOL      physical root read-only; /etc and the stateroot /var stay writable
  [root] transient=BOOL        / is an overlay over the deployment with a tmpfs upper
  [root] transient-ro=BOOL     the same, mounted read-only
  [root] transient-size=SIZE   size of that tmpfs (e.g. 2G, 512M, 50%; default: tmpfs default)
  [root] upper-device=DEV      plain roots: that overlay's upper on DEV (LABEL=, UUID=, PARTUUID=,
                               PARTLABEL= or /dev/...) instead of a tmpfs: changes persist until
                               a boot with rd.prepare-root.reset
  [root] upper-fstype=TYPE     the filesystem on that device (default ext4)
  [etc] transient=BOOL         /etc is an overlay over usr/etc (plain: /etc) with a tmpfs upper
  [var] transient=BOOL         plain roots: /var is an overlay with a tmpfs upper
  [composefs] enabled=no|maybe|yes|verity|signed
                               / from the deployment's .ostree.cfs image; maybe falls back to a bind
                               mount without one; verity requires fs-verity on every file; signed
                               also checks the commit's ed25519 signature against the keys in
                               keypath and the image's kernel-measured fs-verity digest
  [composefs] keypath=PATH     the signing keys in the initramfs (default
                               /etc/ostree/initramfs-root-binding.key)
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
/var/lib/prepare-root); an unknown group or key there stops the boot (ostree's config: a
warning, as ostree ignores it). Booleans are true/false/1/0. Kernel arguments: ostree=,
androidboot.slot_suffix=, ostree.prepare-root.composefs= (the first of each wins, as in ostree),
rd.prepare-root=, rd.prepare-root.reset and, without an initramfs, prepare-root.init= (the last
wins), rd.modules-load= and rootdelay=.`;

function overviewEntry(name: Command, h: CommandHelp): string {
  const [first, ...rest] = h.text.split('\n');
  return [`  ${name.padEnd(13)} ${first}`, ...rest.map((l) => `                ${l}`)].join('\n');
}

export const HELP = `Usage:
${Object.values(COMMAND_HELP)
  .flatMap((h) => h.usage)
  .map((u) => `  ${u}`)
  .join('\n')}
  prepare-root COMMAND --help | --help | --version

${OVERVIEW}

Commands:
${Object.entries(COMMAND_HELP)
  .map(([name, h]) => overviewEntry(name as Command, h))
  .join('\n')}

Options:
${[...new Set(Object.values(OPTIONS))].join('\n')}
  -h, --help     this text (after a command: that command's).  -V, --version  print the version.

${CONFIGURATION}

${EXIT_STATUS}`;
