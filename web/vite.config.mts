import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

/**
 * The one front-end (CONTRACT §9): a Preact single-page app served by the API process at /app from
 * web/dist. Every asset comes from npm and is bundled; file names carry a content hash so the server can
 * cache them for a year (src/http/web-app.ts).
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/app/',
  // Not the repository's public/ or .env files: the app needs neither.
  publicDir: false,
  envDir: false,
  plugins: [preact({ devToolsEnabled: false, prefreshEnabled: false })],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    // Small enough to inline nothing: one hashed file per asset keeps the CSP simple (no data: scripts).
    assetsInlineLimit: 0,
  },
  logLevel: 'warn',
});
