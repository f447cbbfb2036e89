import { defineConfig } from 'vite';

// Built by the Maven build (traceflow-server/pom.xml: npm ci, then npm run build) into the server's
// classes, where dev.traceflow.dashboard serves it: hashed names under /assets/ get a year's cache,
// index.html none. `npm run dev` proxies the API to a server on :8080 for working on pages.
export default defineConfig({
  base: '/',
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  build: {
    outDir: process.env.TRACEFLOW_UI_OUT || 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // the CSP allows no inline script: Vite's module preload polyfill is bundled, never inlined
    modulePreload: { polyfill: true },
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: {
    proxy: {
      '/api': 'http://localhost:8080',
      '/auth': 'http://localhost:8080',
      '/audits': 'http://localhost:8080',
      '/realtime': 'http://localhost:8080',
      '/ws': { target: 'ws://localhost:8080', ws: true },
    },
  },
});
