// The layers of docs/architecture.md, checked on the source: each folder of src/ imports only
// from the layers below it (type-only imports included: a type that runs upward is a design that
// does), and no module imports itself back through others.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');
/** Top first, as docs/architecture.md draws them. */
const LAYERS = [
  'cli',
  'boot',
  'booted',
  'apply',
  'plan',
  'probe',
  'overlayfs',
  'fs',
  'config',
  'formats',
  'platform',
  'base',
];

const modules = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => f.split(path.sep).join('/'));

function importsOf(module: string): { to: string; typeOnly: boolean }[] {
  const text = readFileSync(path.join(SRC, module), 'utf8');
  return [...text.matchAll(/^import (type )?[^;]*?from '(\.[^']+)';/gms)].map((m) => ({
    to: path.posix.normalize(path.posix.join(path.posix.dirname(module), m[2]!.replace(/\.js$/, '.ts'))),
    typeOnly: m[1] !== undefined,
  }));
}

const layerOf = (module: string) => module.split('/')[0]!;

describe('layers', () => {
  it('every folder of src/ is a layer of docs/architecture.md, and the doc draws them in this order', () => {
    const folders = new Set(modules.filter((m) => m.includes('/')).map(layerOf));
    expect([...folders].sort()).toEqual([...LAYERS].sort());
    const doc = readFileSync(path.resolve(SRC, '../docs/architecture.md'), 'utf8');
    const drawn = [...doc.matchAll(/^(\w+)\/\s{2,}/gm)].map((m) => m[1]).filter((l) => LAYERS.includes(l!));
    expect(drawn).toEqual(LAYERS);
  });

  it('no import runs upward', () => {
    const upward = modules.flatMap((m) =>
      importsOf(m)
        .filter(({ to }) => m.includes('/') && LAYERS.indexOf(layerOf(to)) < LAYERS.indexOf(layerOf(m)))
        .map(({ to }) => `${m} → ${to}`),
    );
    expect(upward).toEqual([]);
  });

  it('no import cycle (run-time imports)', () => {
    const graph = new Map(
      modules.map((m) => [
        m,
        importsOf(m)
          .filter((i) => !i.typeOnly)
          .map((i) => i.to),
      ]),
    );
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (m: string, trail: string[]) => {
      if (state.get(m) === 'done') return;
      if (state.get(m) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(m)), m].join(' → '));
        return;
      }
      state.set(m, 'open');
      for (const to of graph.get(m) ?? []) visit(to, [...trail, m]);
      state.set(m, 'done');
    };
    for (const m of modules) visit(m, []);
    expect(cycles).toEqual([]);
  });
});
