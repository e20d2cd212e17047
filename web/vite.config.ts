import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
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

/** Text files of the build worth shipping compressed (images and fonts are compressed already). */
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|webmanifest|txt)$/;

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/**
 * Writes `<file>.br` (brotli, quality 11) and `<file>.gz` (gzip -9) beside every text file of the
 * build of 1 KiB or more, once, at build time; the server sends them as they are
 * (`@fastify/static` `preCompressed`), so no request pays for compression at the best level.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'citybrain-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      const files = (fs.readdirSync(outDir, { recursive: true }) as string[])
        .map((f) => path.join(outDir, f))
        .filter((f) => COMPRESSIBLE.test(f) && fs.statSync(f).size >= 1024);
      await Promise.all(
        files.map(async (file) => {
          const raw = fs.readFileSync(file);
          const [br, gz] = await Promise.all([
            brotli(raw, {
              params: {
                [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
                [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
              },
            }),
            gzip(raw, { level: 9 }),
          ]);
          fs.writeFileSync(`${file}.br`, br);
          fs.writeFileSync(`${file}.gz`, gz);
        }),
      );
    },
  };
}

/** The API server the dev server proxies to (`npm start` runs it on :8080). */
const apiTarget = process.env.CITYBRAIN_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: import.meta.dirname,
  // web/public is the server's placeholder page; files copied as they are live in web/static.
  publicDir: 'static',
  plugins: [react(), fieldShell(), precompress()],
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
