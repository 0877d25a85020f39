import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // No test reads or writes the chart cache in the home folder (src/report/vegaCache.ts); its own tests turn it on in a scratch folder.
    env: { SVCSIM_NO_CACHE: '1' },
  },
});
