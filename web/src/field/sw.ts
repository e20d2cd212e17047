/// <reference lib="webworker" />
/**
 * Service worker of the field app (scope /field): keeps the app shell so /field opens
 * without a network. API calls are never cached here: actions made offline wait in the app's
 * IndexedDB queue (queue.ts) and are sent by the page when the network is back.
 */
const sw = self as unknown as ServiceWorkerGlobalScope;

/** Filled in at build time (web/build/field-shell.ts) with the shell's URLs. */
const SHELL_FILES = '__FIELD_SHELL__' as unknown as string[];
const CACHE = `citybrain-field-${hash(JSON.stringify(SHELL_FILES))}`;

sw.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL_FILES))
      .then(() => sw.skipWaiting()),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k.startsWith('citybrain-field-') && k !== CACHE).map((k) => caches.delete(k)),
        ),
      )
      .then(() => sw.clients.claim()),
  );
});

sw.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== sw.location.origin) return;
  if (event.request.mode === 'navigate') {
    // Network first so a new build shows at once; the cached shell when offline.
    event.respondWith(fetch(event.request).catch(() => cached('/field')));
  } else if (url.pathname.startsWith('/assets/') || SHELL_FILES.includes(url.pathname)) {
    event.respondWith(caches.match(event.request).then((hit) => hit ?? fetch(event.request)));
  }
});

async function cached(path: string): Promise<Response> {
  return (await caches.match(path)) ?? new Response('offline', { status: 503 });
}

/** A short stable hash: a new shell list means a new cache. */
function hash(text: string): string {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return (h >>> 0).toString(36);
}
