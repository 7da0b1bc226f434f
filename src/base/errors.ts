// Errors are values with context: `what` names the file (with line), key, path or plan step at
// fault, `why` says what is wrong with it. main prints them once as `prepare-root: what: why`.
import { oneLine } from './text.js';

/** What kind of failure: a usage error is not logged to the console at boot. */
export type ErrorKind = 'usage' | 'failure';

/**
 * Where a failure is: a line of a config file, a step of the plan, a file or directory of the
 * system, or something named in words (a kernel argument, a key, a command).
 */
export type Where =
  | { readonly file: string; readonly line: number }
  | { readonly step: string }
  | { readonly path: string }
  | { readonly name: string };

/** As the boot's console lines say it: `file:line`, `step ID`, the path, the name. */
export function whereText(w: Where): string {
  if ('file' in w) return `${w.file}:${w.line}`;
  if ('step' in w) return `step ${w.step}`;
  return 'path' in w ? w.path : w.name;
}

/** The config line a failure names, if it names one. */
export function lineOf(w: Where): number | null {
  return 'file' in w ? w.line : null;
}

export class PrepareRootError extends Error {
  override readonly name = 'PrepareRootError';
  readonly kind: ErrorKind;
  readonly where: Where;
  /** `where` as text. */
  readonly what: string;

  constructor(
    where: string | Where,
    readonly why: string,
    options?: { cause?: unknown; kind?: ErrorKind },
  ) {
    const at = typeof where === 'string' ? { name: where } : where;
    super(`${whereText(at)}: ${why}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.where = at;
    this.what = whereText(at);
    this.kind = options?.kind ?? 'failure';
  }
}

/** Which system call failed, as data: `fsconfig` with the key or command it was given (`lowerdir+`, `create`). */
export interface Syscall {
  readonly name: string;
  readonly arg?: string;
}

/**
 * A failed system call: `call` says it in words for messages, `syscall` as data for decisions;
 * `code` is the errno name (ENOENT), `text` the system's description of it, `detail` what the
 * kernel logged about it (the mount API's filesystem context), if anything.
 */
export class SysError extends Error {
  override readonly name = 'SysError';

  constructor(
    readonly call: string,
    readonly code: string,
    readonly text: string,
    readonly detail: string = '',
    readonly syscall: Syscall | null = null,
  ) {
    super(`${call}: ${text}${detail === '' ? '' : ` (${detail})`}`);
  }
}

/** Whether `e` is that system call's failure with that errno (and, if given, that argument). */
export function failedWith(e: SysError, code: string, name: string, args?: readonly string[]): boolean {
  return (
    e.code === code &&
    e.syscall?.name === name &&
    (args === undefined || (e.syscall.arg !== undefined && args.includes(e.syscall.arg)))
  );
}

export function isSysError(e: unknown, code?: string): e is SysError {
  return e instanceof SysError && (code === undefined || e.code === code);
}

/** Why something failed, for a message that names what failed itself: a system call's description
 * of its errno (without the call, which the message says in its own words), else the message. */
export function reasonOf(e: unknown): string {
  return isSysError(e) ? e.text : messageOf(e);
}

/**
 * `fn`'s result; a failure that is not already ours becomes one at `where`, with its reason (the
 * errno text of a failed call, the call being what `where` says).
 */
export function failingAt<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof PrepareRootError) throw e;
    throw new PrepareRootError(where, reasonOf(e), { cause: e });
  }
}

/** What went wrong, whole, for a message that does not name it: a failed system call with its call. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function isPrepareRootError(e: unknown): e is PrepareRootError {
  return e instanceof PrepareRootError;
}

/** One line for stderr / kmsg. Anything that is not ours is a bug, but still gets one line. */
export function formatError(e: unknown): string {
  if (isPrepareRootError(e)) return oneLine(`prepare-root: ${e.message}`);
  return oneLine(`prepare-root: internal error: ${messageOf(e)}`);
}
