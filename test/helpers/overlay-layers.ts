// A lower and an empty upper of an overlay, as synthetic trees: what the overlayfs cores' tests
// (prune, upper diff) start from.
import { type MemorySystem, memorySystem } from './memory-system.js';

export function layers(): MemorySystem {
  const sys = memorySystem();
  sys.file('/lower/etc/hostname', 'base');
  sys.file('/lower/etc/motd', 'hello');
  sys.dir('/lower/etc/app', { mode: 0o755 });
  sys.file('/lower/etc/app/a.conf', 'a');
  sys.file('/lower/opt/old/x', 'x');
  sys.dir('/upper');
  return sys;
}
