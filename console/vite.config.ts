// The operator console's build (README "Console"): Preact + uPlot bundled from npm into dist/console/, served by
// `serve --console` at /console (src/http/routes/console/ui.ts). Nothing is loaded from elsewhere at run time.
import { defineConfig } from 'vite';

export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  base: '/console/',
  // JSX to Preact's automatic runtime (console/tsconfig.json has the same setting for the type check).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../dist/console', // relative to root: the repository's dist/console
    emptyOutDir: true,
    assetsInlineLimit: 0, // every asset a file of its own (the CSP allows 'self' only)
    sourcemap: true,
    reportCompressedSize: false,
  },
  logLevel: 'warn',
});
