import type { Plugin } from 'vite';

/** Placeholder in src/field/sw.ts replaced by the list of files of the field app's shell. */
const SHELL_MARKER = /(["'`])__FIELD_SHELL__\1/;

/** Output name of the service worker; served from the root, registered with scope /field. */
export const SERVICE_WORKER_FILE = 'sw-field.js';

interface ChunkInfo {
  type: 'chunk';
  fileName: string;
  code: string;
  name: string;
  imports: string[];
  dynamicImports?: string[];
  facadeModuleId?: string | null;
  viteMetadata?: { importedCss: Set<string> };
}

/**
 * Writes the field app's shell into its service worker at build time: the entry, the field
 * chunk, its lazy chunks and everything they import statically (JS and CSS), plus the manifest and icon, so
 * /field opens offline. The map, chart and cockpit chunks are not part of it.
 */
export function fieldShell(): Plugin {
  return {
    name: 'citybrain-field-shell',
    apply: 'build',
    // After Vite's own hooks, which drop the JS stubs of CSS-only chunks.
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        const chunks = Object.values(bundle).filter((o) => o.type === 'chunk') as unknown as ChunkInfo[];
        const worker = chunks.find((c) => c.fileName === SERVICE_WORKER_FILE);
        const field = chunks.find((c) => c.facadeModuleId?.endsWith('/field/FieldApp.tsx'));
        const entry = chunks.find((c) => c.facadeModuleId?.endsWith('/web/index.html'));
        if (!worker || !field || !entry) {
          const seen = chunks.map((c) => `${c.fileName} ← ${c.facadeModuleId ?? '-'}`).join('\n');
          throw new Error(`field shell: service worker, entry or field chunk missing among\n${seen}`);
        }
        const files = new Set<string>();
        const visit = (chunk: ChunkInfo | undefined) => {
          if (!chunk || files.has(chunk.fileName)) return;
          files.add(chunk.fileName);
          for (const css of chunk.viteMetadata?.importedCss ?? []) files.add(css);
          for (const name of chunk.imports) visit(chunks.find((c) => c.fileName === name));
          // Imports of chunks that were dropped (CSS-only) are not files.
        };
        visit(entry);
        visit(field);
        // The field app's own lazy chunks (the on-site screens) work offline too.
        for (const name of field.dynamicImports ?? []) visit(chunks.find((c) => c.fileName === name));
        // The English texts (their own chunk, read when chosen: web/src/i18n.ts) work offline too.
        visit(chunks.find((c) => c.facadeModuleId?.endsWith('/locales/en.json')));
        const emitted = [...files].filter((f) => f in bundle).sort();
        const shell = ['/field', '/field.webmanifest', '/icon.svg', ...emitted.map((f) => `/${f}`)];
        if (!SHELL_MARKER.test(worker.code)) throw new Error('field shell: marker not found in the worker');
        worker.code = worker.code.replace(SHELL_MARKER, JSON.stringify(shell));
      },
    },
  };
}
