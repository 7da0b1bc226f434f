// Errors are values with context: `what` names the file (with line), key, path or plan step at
// fault, `why` says what is wrong with it. main prints them once as `prepare-root: what: why`.
export class PrepareRootError extends Error {
  override readonly name = 'PrepareRootError';

  constructor(
    readonly what: string,
    readonly why: string,
    options?: { cause?: unknown },
  ) {
    super(`${what}: ${why}`, options);
  }
}

export function isPrepareRootError(e: unknown): e is PrepareRootError {
  return e instanceof PrepareRootError;
}

/** One line for stderr / kmsg. Anything that is not ours is a bug, but still gets one line. */
export function formatError(e: unknown): string {
  if (isPrepareRootError(e)) return `prepare-root: ${e.message}`;
  const text = e instanceof Error ? e.message : String(e);
  return `prepare-root: internal error: ${text}`;
}
