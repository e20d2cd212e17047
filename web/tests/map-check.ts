import type { Page } from 'playwright-core';

/** Waits until the cockpit map has drawn the given focus and is idle. */
export async function waitForMap(page: Page, focus: string): Promise<void> {
  await page.locator(`.map[data-focus="${focus}"][data-idle="true"]`).waitFor({ timeout: 30_000 });
}

/** Where decodeMap leaves the map's pixels in the page. */
interface MapPixels {
  mapPixels: Uint8ClampedArray;
}

/**
 * Screenshots the map and decodes the PNG in the page, by the browser itself (no image library),
 * into `window.mapPixels` (RGBA) for the counting functions below to read.
 */
async function decodeMap(page: Page): Promise<void> {
  const png = await page.locator('.map-wrap > .map').screenshot();
  await page.evaluate(async (base64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${base64}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    (window as unknown as MapPixels).mapPixels = ctx.getImageData(0, 0, img.width, img.height).data;
  }, png.toString('base64'));
}

/**
 * Counts pixels of the area fill and river colours in a screenshot of the map, decoded by
 * the browser itself (no image library): proof that polygons and rivers were drawn.
 */
export async function mapPaint(
  page: Page,
): Promise<{ areaPixels: number; riverPixels: number; total: number }> {
  await decodeMap(page);
  return page.evaluate(() => {
    const data = (window as unknown as MapPixels).mapPixels;
    let areaPixels = 0;
    let riverPixels = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
      // Area fill: the map blue blended over the dark background (blue well above red).
      if (b > 60 && b - r > 30 && g > 35 && b < 150) areaPixels++;
      // Rivers: a brighter, more saturated blue.
      if (b > 160 && r < 90 && g > 110 && g < 170) riverPixels++;
    }
    return { areaPixels, riverPixels, total: data.length / 4 };
  });
}

/**
 * Counts pixels of the device colours in a screenshot of the map: online green, offline
 * grey and the open-alert magenta. Compare with the layer hidden: a few pixels elsewhere
 * (legend swatches, antialiased edges) may match too.
 */
export async function devicePaint(page: Page): Promise<{ online: number; offline: number; alerted: number }> {
  await decodeMap(page);
  return page.evaluate(() => {
    const data = (window as unknown as MapPixels).mapPixels;
    let online = 0;
    let offline = 0;
    let alerted = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
      // Online devices: rgb(46, 204, 113) over the dark map.
      if (g > 140 && g - r > 70 && g - b > 40) online++;
      // Offline devices: rgb(138, 155, 176), a grey a little bluer than neutral.
      if (r > 115 && r < 160 && g > 135 && g < 170 && b > 155 && b < 195 && g - r < 30) offline++;
      // Devices with an open alert: rgb(255, 61, 240).
      if (r > 180 && b > 170 && g < 110) alerted++;
    }
    return { online, offline, alerted };
  });
}

/** Pixels of each of the given colours (each channel within ±`tol`) in a screenshot of the map. */
export async function colourPaint(
  page: Page,
  colours: [number, number, number][],
  tol = 12,
): Promise<number[]> {
  await decodeMap(page);
  return page.evaluate(
    ({ colours, tol }) => {
      const data = (window as unknown as MapPixels).mapPixels;
      const n = colours.map(() => 0);
      for (let i = 0; i < data.length; i += 4) {
        colours.forEach(([r, g, b], k) => {
          if (
            Math.abs(data[i]! - r) <= tol &&
            Math.abs(data[i + 1]! - g) <= tol &&
            Math.abs(data[i + 2]! - b) <= tol
          )
            n[k]!++;
        });
      }
      return n;
    },
    { colours, tol },
  );
}
