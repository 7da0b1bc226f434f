// The mount plan as data. The planner decides, the executor applies, `prepare-root plan` prints:
// all three see the same steps. Every step says why it is there.
import type { Warning } from '../config/config.js';
import type { VarDict } from '../formats/gvariant.js';
import type { StatusOverlay } from '../formats/status-file.js';
import type { Mode } from './modes.js';

interface StepBase {
  /** Stable name of the step, used in messages and status.json (e.g. `bind-usr`). */
  readonly id: string;
  /** Why the step is in the plan (the setting or fact that put it there). */
  readonly reason: string;
}

export type Step = StepBase &
  (
    | { readonly kind: 'make-private'; readonly target: string }
    | {
        readonly kind: 'mkdir';
        readonly path: string;
        readonly mode: number;
        readonly existOk: boolean;
        /**
         * An overlayfs upper or workdir this step makes. A new upper holds only what went through
         * the overlay since (copy-ups of a mkdir -p below it), and a workdir the work/ (and index/)
         * the kernel makes: undo removes those too.
         */
        readonly overlayDir?: 'upper' | 'work';
      }
    | { readonly kind: 'bind'; readonly source: string; readonly target: string }
    | { readonly kind: 'remount-bind'; readonly target: string; readonly readonly: boolean }
    /** The whole filesystem mounted at target (its superblock) read-only or writable; undone by the reverse. */
    | { readonly kind: 'remount-fs'; readonly target: string; readonly readonly: boolean }
    | { readonly kind: 'tmpfs'; readonly target: string; readonly options: readonly string[] }
    /** A block device's filesystem, writable (a persistent upper). */
    | { readonly kind: 'device-fs'; readonly device: string; readonly fstype: string; readonly target: string }
    /** A composefs EROFS image, read-only: from the file itself where possible, else through a loop device. */
    | { readonly kind: 'erofs'; readonly image: string; readonly target: string; readonly noacl: boolean }
    | { readonly kind: 'symlink'; readonly path: string; readonly linkTarget: string }
    /** mkdir -p: undo removes exactly the directories it created. */
    | { readonly kind: 'mkdirp'; readonly path: string; readonly mode: number }
    /** rm -r (overlayfs' volatile marker of a checkpointed upper; nothing to restore). */
    | { readonly kind: 'remove-tree'; readonly path: string }
    /** Move a directory (a torn volatile upper into quarantine). */
    | { readonly kind: 'rename'; readonly from: string; readonly to: string }
    /** State overlay after an update: drop upper entries that shadow the new base (ostree's rule). */
    | { readonly kind: 'prune-upper'; readonly upper: string; readonly lower: readonly string[] }
    /** Copy a tree keeping owner, mode, times and xattrs (seeding a persisted path from the image). */
    | { readonly kind: 'copy'; readonly from: string; readonly to: string }
    | {
        readonly kind: 'overlay';
        readonly target: string;
        readonly lower: readonly string[];
        /** Data-only lower layers (after `::`): composefs redirects point into them. */
        readonly dataLower?: readonly string[];
        readonly upper: string | null;
        readonly work: string | null;
        readonly readonly: boolean;
        /** Directory the mount runs in, for relative layer paths (kept relative, as ostree passes them). */
        readonly cwd?: string;
        /** Further overlay options, e.g. metacopy=on. */
        readonly options?: readonly string[];
        /** Mount source name (shown in mountinfo); default `overlay`. */
        readonly source?: string;
      }
    | { readonly kind: 'propagation'; readonly target: string; readonly propagation: 'slave' | 'shared' }
    /**
     * Lazily detach `target`; `restoreFrom` is a bind of the same tree, used to undo the detach, or
     * null when the detached mount lives on elsewhere (the composefs EROFS under its overlay).
     */
    | {
        readonly kind: 'detach';
        readonly target: string;
        readonly restoreFrom: string | null;
        /** Once detached, that earlier step's mount lives on only under another mount: nothing left to undo for it. */
        readonly endsUndoOf?: string;
        /** The detached mount was read-only and `restoreFrom` is made writable meanwhile: restore it read-only. */
        readonly restoreReadonly?: boolean;
      }
    | {
        readonly kind: 'move';
        readonly source: string;
        readonly target: string;
        /**
         * After this step the new root is in place at SYSROOT and the physical root detached from it:
         * what follows only tidies up. (A failure later still undoes everything.)
         */
        readonly pointOfNoReturn?: true;
      }
    | {
        readonly kind: 'write-file';
        readonly path: string;
        readonly mode: number;
        readonly content: Uint8Array;
        readonly summary: string;
      }
    | { readonly kind: 'rmdir'; readonly path: string }
    /** Give `to` the SELinux label `from` has (none there: nothing to give); a malformed one is refused. */
    | { readonly kind: 'copy-label'; readonly from: string; readonly to: string }
    /**
     * Record the labels in the tmpfs uppers for after the policy load, which discards them
     * (formats/labels-file.ts); `prepare-root relabel` puts them back.
     */
    | { readonly kind: 'record-labels'; readonly path: string; readonly uppers: readonly LabelledUpper[] }
  );

/** A tmpfs upper whose entries' labels must survive the SELinux policy load. */
export interface LabelledUpper {
  /** Where the overlay is mounted, as the booted system sees it. */
  readonly path: string;
  /** The upper dir (the same path before and after switch-root: it is under /run). */
  readonly upper: string;
  /** Where the overlay is mounted while the plan runs (under the staging point). */
  readonly target: string;
}

export type StepKind = Step['kind'];

/** Our state dir on the physical root (persisted paths, state overlays): as the plan reaches it, and as the booted system does. */
export interface StateDirs {
  readonly planned: string;
  readonly booted: string;
}

/** What / is (plan/modes.ts). */
export type { Mode };

/** What every plan has, whatever the kind of root. */
interface PlanCommon {
  readonly mode: Mode;
  readonly sysroot: string;
  /** SELinux is enabled: the uppers standing in for image content get the image's labels. */
  readonly selinux: boolean;
  readonly steps: readonly Step[];
  /** Declared overlays: path, layers as the booted system sees them, upper kind and dir (as status.json records them). */
  readonly overlays: readonly StatusOverlay[];
  /** Persisted paths: where they are in the new root, and their store as the booted system sees it. */
  readonly persisted: ReadonlyArray<{ readonly path: string; readonly store: string }>;
}

/** An ostree deployment's plan (ostree= on the command line). */
export interface OstreePlan extends PlanCommon {
  readonly kind: 'ostree';
  /** The deployment, relative to the physical root. */
  readonly deployment: string;
  readonly sysrootReadonly: boolean;
  /** Keys of /run/ostree-booted, decoded, for humans and status.json. */
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** A plain root's plan (no ostree=). */
export interface PlainPlan extends PlanCommon {
  readonly kind: 'plain';
  /** Its physical root in the booted system, read-only. */
  readonly physicalRoot: string;
}

export type Plan = OstreePlan | PlainPlan;

/** One entry of /run/ostree-booted. */
export type MetadataEntry = readonly [string, VarDict[number][1]];

/** What an area of the planner contributes: its steps, its warnings, notices and /run/ostree-booted keys. */
export interface Part {
  readonly steps: readonly Step[];
  /** Tmpfs uppers whose labels the booted system must restore (only when SELinux is on). */
  readonly labelled?: readonly LabelledUpper[];
  /** What the user may not have meant. */
  readonly warnings?: readonly Warning[];
  /** What the user asked for and should see once at boot (a transient root: what will be lost). */
  readonly notices?: readonly Warning[];
  readonly metadata?: readonly MetadataEntry[];
}
