import { defineConfig } from 'vitest/config';

// `npm run test:vm`: the VM boot tests (test/vm). Each boot is a full Debian guest under qemu
// (TCG here: ~1 min), so one file, one test at a time, with long limits.
export default defineConfig({
  test: {
    include: ['test/vm/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 15 * 60_000,
    hookTimeout: 40 * 60_000,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
