import { useEffect, useState } from 'react';
import { session } from '../api/session.ts';

/** Photos larger than this are shrunk before upload (the server takes at most 10 MiB). */
const SHRINK_ABOVE = 1024 * 1024;
/** What the server takes (checked there by content). */
const ACCEPTED = ['image/jpeg', 'image/png', 'image/webp'];
/** Longest side of a shrunk photo, px. */
const MAX_SIDE = 1600;

/**
 * A photo ready to upload: as it is when at most 1 MiB, else redrawn at most 1600 px on its
 * longest side as JPEG (q 0.82) — a phone's 4–8 MB photo becomes a few hundred KB, which
 * matters on a mobile network and in the field app's offline queue. Another image type the
 * browser can decode (GIF, BMP…) is redrawn as JPEG too — in a worker when the browser has
 * OffscreenCanvas, else on the page. If it cannot be decoded, it is sent as it is and the server
 * decides (JPEG/PNG/WebP by content).
 */
export async function shrinkPhoto(file: Blob): Promise<Blob> {
  if (file.size <= SHRINK_ABOVE && ACCEPTED.includes(file.type)) return file;
  try {
    return await shrinkInWorker(file);
  } catch {
    // No worker or no OffscreenCanvas here: on the main thread.
  }
  try {
    const full = await createImageBitmap(file);
    const scale = Math.min(1, MAX_SIDE / Math.max(full.width, full.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(full.width * scale);
    canvas.height = Math.round(full.height * scale);
    canvas.getContext('2d')?.drawImage(full, 0, 0, canvas.width, canvas.height);
    full.close();
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('cannot encode'))), 'image/jpeg', QUALITY),
    );
  } catch {
    return file;
  }
}

const QUALITY = 0.82;

/**
 * The worker that decodes, scales and encodes a photo (OffscreenCanvas), so a 12-megapixel
 * photo does not freeze the page for half a second. Its code travels inside this bundle as a
 * blob URL: no separate file that the field app's offline shell would have to list.
 */
const WORKER_SOURCE = `self.onmessage = async (e) => {
  const { file, maxSide, quality } = e.data;
  try {
    const full = await createImageBitmap(file);
    const scale = Math.min(1, maxSide / Math.max(full.width, full.height));
    const w = Math.round(full.width * scale);
    const h = Math.round(full.height * scale);
    const canvas = new OffscreenCanvas(w, h);
    canvas.getContext('2d').drawImage(full, 0, 0, w, h);
    full.close();
    self.postMessage({ blob: await canvas.convertToBlob({ type: 'image/jpeg', quality }) });
  } catch (err) {
    self.postMessage({ error: String(err) });
  }
};`;

function shrinkInWorker(file: Blob): Promise<Blob> {
  if (typeof Worker === 'undefined' || typeof OffscreenCanvas === 'undefined')
    return Promise.reject(new Error('no worker'));
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  const worker = new Worker(url);
  URL.revokeObjectURL(url);
  return new Promise<Blob>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<{ blob?: Blob; error?: string }>) => {
      if (e.data.blob) resolve(e.data.blob);
      else reject(new Error(e.data.error ?? 'cannot shrink'));
    };
    worker.onerror = (e) => reject(new Error(e.message));
    worker.postMessage({ file, maxSide: MAX_SIDE, quality: QUALITY });
  }).finally(() => worker.terminate());
}

/**
 * An object URL for a photo that needs the signed-in user's Authorization header (an <img>
 * cannot send it): fetched once, revoked when the component goes. The answer is
 * `cache-control: private` with an ETag, so the browser's own cache serves repeats.
 */
export function useAuthorizedPhoto(url: string | undefined): { src?: string; failed: boolean } {
  const [state, setState] = useState<{ src?: string; failed: boolean }>({ failed: false });
  useEffect(() => {
    if (!url) return;
    let made: string | undefined;
    let live = true;
    const token = session.token();
    fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} })
      .then(async (res) => {
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const blob = await res.blob();
        if (!live) return;
        made = URL.createObjectURL(blob);
        setState({ src: made, failed: false });
      })
      .catch(() => live && setState({ failed: true }));
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [url]);
  return state;
}
