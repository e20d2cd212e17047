// Reading a QR code from pixels with jsQR: frames of the camera, or a photo chosen or taken with the
// file input (the fallback where there is no camera, or the browser refuses it).
import jsQR from 'jsqr';

/** Longest side a photo is scaled down to before decoding (jsQR's time grows with the pixels). */
const MAX_SIDE = 1280;

/** The QR text in a canvas-drawable image, or null. */
export function decodeFrom(source: CanvasImageSource, width: number, height: number): string | null {
  const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) return null;
  ctx.drawImage(source, 0, 0, w, h);
  const { data } = ctx.getImageData(0, 0, w, h);
  return jsQR(data, w, h, { inversionAttempts: 'attemptBoth' })?.data ?? null;
}

/** The QR text in a photo file, or null. */
export async function decodeFile(file: Blob): Promise<string | null> {
  const bitmap = await createImageBitmap(file);
  try {
    return decodeFrom(bitmap, bitmap.width, bitmap.height);
  } finally {
    bitmap.close();
  }
}

/**
 * Scans the camera's frames (rear camera preferred) into `video` until a QR code is read; resolves with
 * its text. `signal` stops it (the camera is released either way). Rejects when there is no camera or
 * the user refuses it.
 */
export async function scanCamera(video: HTMLVideoElement, signal: AbortSignal): Promise<string> {
  if (!navigator.mediaDevices?.getUserMedia) throw new Error('no_camera');
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: { ideal: 'environment' } },
    audio: false,
  });
  try {
    video.srcObject = stream;
    video.muted = true;
    video.playsInline = true;
    await video.play();
    while (!signal.aborted) {
      await new Promise((r) => setTimeout(r, 150));
      if (video.videoWidth === 0) continue;
      const text = decodeFrom(video, video.videoWidth, video.videoHeight);
      if (text) return text;
    }
    throw new Error('aborted');
  } finally {
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  }
}
