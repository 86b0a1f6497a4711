import { defineConfig } from 'vitest/config';

// The end-to-end suite runs twice: once against @google/genai 2.x on Node 20, once against 3.x (the
// `genai3` alias) on Node 22 (`npm run test:e2e3`, which fetches Node 22 from the npm registry),
// chosen by GENAI_SDK in test/e2e/sdk.ts. The browser suite drives headless
// Chromium (test/browser/chromium.ts), found or unpacked once by its global setup.
export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // `npm run coverage`: the machine, the actors and the adapters each keep 95 % of branches.
    coverage: {
      provider: 'v8',
      include: ['src/machines/**', 'src/actors/**', 'src/adapters/**'],
      // Runs only inside Chromium (an AudioWorklet), where v8 coverage of Node cannot see it;
      // test/browser exercises it with a fake microphone, and its resampling is unit-tested.
      exclude: ['src/audio/browserMic.ts'],
      reporter: ['text', 'json-summary'],
      thresholds: {
        'src/machines/**': { branches: 95 },
        'src/actors/**': { branches: 95 },
        'src/adapters/**': { branches: 95 },
      },
    },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/e2e/**', 'test/browser/**'] } },
      { extends: true, test: { name: 'e2e-genai2', include: ['test/e2e/**/*.test.ts'], env: { GENAI_SDK: '2' } } },
      { extends: true, test: { name: 'e2e-genai3', include: ['test/e2e/**/*.test.ts'], env: { GENAI_SDK: '3' } } },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/browser/globalSetup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
