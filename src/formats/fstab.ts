// /etc/fstab, as far as prepare-root reads it: the swap entries that are files (not devices), and
// the entry for / (which systemd-remount-fs applies to whatever / is).
// fstab(5): whitespace-separated fields, `#` comments, octal escapes such as \040 in paths.

/** An entry's fields, its comment dropped (a blank or comment-only line gives one empty field). */
function fieldsOf(line: string): string[] {
  return line.replace(/#.*/, '').trim().split(/\s+/);
}

function decodeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

/** Swap files listed in fstab, in order: entries of type swap whose source is an absolute path outside /dev. */
export function swapFiles(text: string): string[] {
  return text.split('\n').flatMap((line) => {
    const fields = fieldsOf(line);
    if (fields.length < 3 || fields[2] !== 'swap') return [];
    const source = decodeOctal(fields[0]!);
    return source.startsWith('/') && !source.startsWith('/dev/') ? [source] : [];
  });
}

/**
 * The same fstab with its entries for / commented out (the rest byte for byte), or null when it
 * has none.
 */
export function withoutRootEntry(text: string): string | null {
  let found = false;
  const lines = text.split('\n').map((line) => {
    const fields = fieldsOf(line);
    if (fields.length < 2 || decodeOctal(fields[1]!) !== '/') return line;
    found = true;
    return `# (prepare-root: / is read-only this boot) ${line}`;
  });
  return found ? lines.join('\n') : null;
}
