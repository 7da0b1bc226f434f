// Errors are values with context: `what` names the file (with line), key, path or plan step at
// fault, `why` says what is wrong with it. main prints them once as `prepare-root: what: why`.
import { oneLine } from './text.js';

/** What kind of failure: a usage error is not logged to the console at boot. */
export type ErrorKind = 'usage' | 'failure';

export class PrepareRootError extends Error {
  override readonly name = 'PrepareRootError';
  readonly kind: ErrorKind;

  constructor(
    readonly what: string,
    readonly why: string,
    options?: { cause?: unknown; kind?: ErrorKind },
  ) {
    super(`${what}: ${why}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.kind = options?.kind ?? 'failure';
  }
}

/**
 * A failed system call: `code` is the errno name (ENOENT), `text` the system's description of it,
 * `detail` what the kernel logged about it (the mount API's filesystem context), if anything.
 */
export class SysError extends Error {
  override readonly name = 'SysError';

  constructor(
    readonly call: string,
    readonly code: string,
    readonly text: string,
    readonly detail: string = '',
  ) {
    super(`${call}: ${text}${detail === '' ? '' : ` (${detail})`}`);
  }
}

export function isSysError(e: unknown, code?: string): e is SysError {
  return e instanceof SysError && (code === undefined || e.code === code);
}

export function isPrepareRootError(e: unknown): e is PrepareRootError {
  return e instanceof PrepareRootError;
}

/** One line for stderr / kmsg. Anything that is not ours is a bug, but still gets one line. */
export function formatError(e: unknown): string {
  if (isPrepareRootError(e)) return oneLine(`prepare-root: ${e.message}`);
  const text = e instanceof Error ? e.message : String(e);
  return oneLine(`prepare-root: internal error: ${text}`);
}
