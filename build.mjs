// Build dist/prepare-root, one static executable: esbuild bundles src/main.ts into one ES
// module; QuickJS's qjsc compiles it to bytecode inside a C file with main(); gcc links that,
// QuickJS (scripts/fetch-quickjs.sh) and our native module (native/*.c, with libsodium for
// ed25519) statically, and strips the result. Node is only the build tool.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.dirname(new URL(import.meta.url).pathname);
const dist = path.join(root, 'dist');
const work = path.join(dist, 'build');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const quickjs = path.join(root, '.cache/quickjs/2025.04.26-1');
if (!existsSync(path.join(quickjs, 'libquickjs.a'))) {
  console.error(`build: QuickJS is missing in ${quickjs}: run scripts/fetch-quickjs.sh (scripts/setup.sh does)`);
  process.exit(1);
}
const quickjsVersion = readFileSync(path.join(quickjs, 'VERSION'), 'utf8').trim();

mkdirSync(work, { recursive: true });
const bundle = path.join(work, 'prepare-root.mjs');
await build({
  entryPoints: [path.join(root, 'src/main.ts')],
  outfile: bundle,
  bundle: true,
  platform: 'neutral',
  format: 'esm',
  target: 'es2023',
  minify: true,
  external: ['native', 'std'],
  define: {
    __PREPARE_ROOT_VERSION__: JSON.stringify(pkg.version),
    __QUICKJS_VERSION__: JSON.stringify(quickjsVersion),
  },
  logLevel: 'warning',
});

const run = (file, args) => execFileSync(file, args, { stdio: ['ignore', 'inherit', 'inherit'] });
// -s: no debug info (the bytecode would carry the bundle's path); -M: our C module, initialised
// next to std by the generated main().
const generated = path.join(work, 'prepare-root.c');
// -fno-*: intrinsics no line of ours uses, so the context starts without building them.
const unused = ['eval', 'string-normalize', 'proxy', 'weakref'].map((f) => `-fno-${f}`);
run(path.join(quickjs, 'qjsc'), ['-e', '-m', '-s', ...unused, '-M', 'native,native', '-o', generated, bundle]);

const app = path.join(dist, 'prepare-root');
rmSync(app, { force: true });
const native = readdirSync(path.join(root, 'native'))
  .filter((f) => f.endsWith('.c'))
  .map((f) => path.join(root, 'native', f));
// -static: no shared library at all, so the binary runs in any initramfs (and from a bare root).
// The linker warns that quickjs-libc's dlopen (for .so modules, never used) needs glibc at run time.
const linked = execFileSync(
  'gcc',
  [
    '-O2',
    '-D_GNU_SOURCE',
    '-Wall',
    '-Wextra',
    '-Werror',
    '-isystem',
    path.join(quickjs, 'include'),
    '-o',
    app,
    generated,
    ...native,
    path.join(quickjs, 'libquickjs.a'),
    '-static',
    '-lsodium',
    '-lm',
    '-ldl',
    '-lpthread',
  ],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
);
process.stderr.write(linked);
run('strip', ['--strip-all', app]);
console.log(execFileSync(app, ['--version']).toString().trim());
