// Small disk and filesystem images made by the real tools (mkfs.*, sfdisk) in a temporary
// directory, read back as the bytes a device's start holds.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function imageMaker(): {
  /** A sparse file of SIZE made by the shell command CMD ("$1" is the file), and its first LENGTH bytes. */
  imageHead(name: string, size: string, cmd: string, length: number): Uint8Array;
  cleanup(): void;
} {
  const dir = mkdtempSync(path.join(tmpdir(), 'block-images-'));
  return {
    imageHead(name, size, cmd, length) {
      const file = path.join(dir, name);
      execFileSync('bash', ['-c', `truncate -s ${size} "$1" && ${cmd}`, 'bash', file], { stdio: 'pipe' });
      const head = new Uint8Array(length);
      const fd = openSync(file, 'r');
      try {
        return head.subarray(0, readSync(fd, head, 0, length, 0));
      } finally {
        closeSync(fd);
      }
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
