import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';
import { guestBudget } from './guest-budget.mts';

/**
 * The one front-end (CONTRACT §9): a Preact single-page app served by the API process at /app from
 * web/dist. Every asset comes from npm and is bundled; file names carry a content hash so the server can
 * cache them for a year (src/surfaces/web/web-app.ts).
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/app/',
  // Not the repository's public/ or .env files: the app needs neither.
  publicDir: false,
  envDir: false,
  plugins: [preact({ devToolsEnabled: false, prefreshEnabled: false }), guestBudget()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    // Small enough to inline nothing: one hashed file per asset keeps the CSP simple (no data: scripts).
    assetsInlineLimit: 0,
    // Two pages: the staff app (index.html at /app) and the guests' pages (guest.html at /widget, /manage,
    // /review), each its own entry, so a guest's phone loads none of the staff app.
    rollupOptions: {
      input: {
        app: fileURLToPath(new URL('./index.html', import.meta.url)),
        guest: fileURLToPath(new URL('./guest.html', import.meta.url)),
      },
    },
  },
  logLevel: 'warn',
});
