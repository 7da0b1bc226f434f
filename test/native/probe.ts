// A test executable, built like the product (build.mjs --entry) but with this entry: it makes
// the native calls given as JSON arguments, `[name, ...args]` each, and prints each result as a
// JSON line, or the exception as `Name: message` (and stops). An argument `{"result": i}` is the
// result of call i, e.g. an fd. The product never passes a negative length or a stray flag; this
// is how the tests check that the C side refuses them anyway.
import * as n from 'native';

type Native = Record<string, (...a: unknown[]) => unknown>;
const print = (line: string) => void n.write(1, new Uint8Array(n.utf8Encode(`${line}\n`)));
const results: unknown[] = [];
const resolve = (a: unknown): unknown =>
  a !== null && typeof a === 'object' && 'result' in a ? results[(a as { result: number }).result] : a;
for (const call of n.args()) {
  const [name, ...args] = JSON.parse(call) as [string, ...unknown[]];
  const fn = (n as unknown as Native)[name];
  if (typeof fn !== 'function') {
    print(`no native function ${name}`);
    n.exit(2);
  }
  try {
    const r = fn(...args.map(resolve));
    results.push(r);
    print(
      JSON.stringify(r, (_, v) =>
        v instanceof ArrayBuffer ? { bytes: [...new Uint8Array(v)] } : typeof v === 'bigint' ? String(v) : v,
      ),
    );
  } catch (e) {
    print(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    n.exit(1);
  }
}
n.exit(0);
