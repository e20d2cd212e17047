/**
 * Makes /field installable: links the web manifest and registers the service worker that
 * keeps the app shell (built from src/field/sw.ts; not in the dev server).
 */
export function installFieldApp(): void {
  if (!document.querySelector('link[rel="manifest"]')) {
    const link = document.createElement('link');
    link.rel = 'manifest';
    link.href = '/field.webmanifest';
    document.head.append(link);
  }
  if (import.meta.env.PROD && 'serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw-field.js', { scope: '/field' }).catch((error: unknown) => {
      console.warn('field app: service worker not registered', error);
    });
  }
}
