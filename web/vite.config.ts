import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { fieldShell, SERVICE_WORKER_FILE } from './build/field-shell.ts';

/** Big libraries, named in the output so bundle sizes read clearly. */
const VENDORS: [string, RegExp][] = [
  ['maplibre', /node_modules[\\/]maplibre-gl[\\/]/],
  ['deckgl', /node_modules[\\/]@deck\.gl[\\/]/],
  ['luma', /node_modules[\\/]@luma\.gl[\\/]/],
  ['echarts', /node_modules[\\/](echarts|zrender)[\\/]/],
  ['react-dom', /node_modules[\\/]react-dom[\\/]/],
];

/** The vendor most of a chunk's modules come from, if any. */
function vendorName(moduleIds: readonly string[]): string | undefined {
  let best: [string, number] | undefined;
  for (const [name, test] of VENDORS) {
    const n = moduleIds.filter((id) => test.test(id)).length;
    if (n > moduleIds.length / 2 && (!best || n > best[1])) best = [name, n];
  }
  return best?.[0];
}

/** The API server the dev server proxies to (`npm start` runs it on :8080). */
const apiTarget = process.env.CITYBRAIN_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: import.meta.dirname,
  // web/public is the server's placeholder page; files copied as they are live in web/static.
  publicDir: 'static',
  plugins: [react(), fieldShell()],
  server: {
    port: 5173,
    proxy: Object.fromEntries(
      ['/api', '/docs', '/health', '/open311', '/algorithms'].map((p) => [p, { target: apiTarget }]),
    ),
    // The rivers of the demo city are imported from data/ at the repository root.
    fs: { allow: [path.resolve(import.meta.dirname, '..')] },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // MapLibre (~1 MB minified) is one chunk by design; it loads only with a map.
    chunkSizeWarningLimit: 1100,
    rolldownOptions: {
      input: {
        main: path.resolve(import.meta.dirname, 'index.html'),
        'sw-field': path.resolve(import.meta.dirname, 'src/field/sw.ts'),
      },
      output: {
        entryFileNames: (chunk) =>
          chunk.name === 'sw-field' ? SERVICE_WORKER_FILE : 'assets/[name]-[hash].js',
        // Vendor chunks keep rolldown's automatic splitting but get names that say what they are.
        chunkFileNames: (chunk) => `assets/${vendorName(chunk.moduleIds) ?? '[name]'}-[hash].js`,
      },
    },
  },
});
