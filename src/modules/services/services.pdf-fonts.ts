import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import fontkit from '@pdf-lib/fontkit';

/**
 * The certificates' Chinese font: Noto Sans Hans (Regular and Bold, GB 2312 set, SIL OFL 1.1)
 * from the npm package `@embedpdf/fonts-sc`. The files are 8 MB each: they are read and parsed
 * once per process, and every PDF embeds only the glyphs it draws (a subset).
 */
const FONT_DIR = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@embedpdf/fonts-sc')),
  '..',
  'fonts',
);
type FontkitFont = ReturnType<typeof fontkit.create>;
type Subset = ReturnType<FontkitFont['createSubset']>;
let fonts: { regular: Uint8Array; bold: Uint8Array } | undefined;
const parsed = new WeakMap<Uint8Array, FontkitFont>();

/** The font files' bytes, read on first use. */
export function cjkFonts(): { regular: Uint8Array; bold: Uint8Array } {
  fonts ??= {
    regular: fs.readFileSync(path.join(FONT_DIR, 'NotoSansHans-Regular.otf')),
    bold: fs.readFileSync(path.join(FONT_DIR, 'NotoSansHans-Bold.otf')),
  };
  return fonts;
}

/**
 * fontkit for pdf-lib (`pdf.registerFontkit`), keeping each parsed font — pdf-lib would parse the
 * 8 MB file again for every document — and mending two faults of `@pdf-lib/fontkit` 1.1.1's CFF
 * subsets of CID-keyed fonts (both fixed upstream in fontkit, which pdf-lib's fork predates):
 * without them FreeType (poppler, Chrome's PDFium) refuses the whole font, or some glyphs.
 */
export const certificateFontkit = {
  create(data: Uint8Array, postscriptName?: string): FontkitFont {
    let font = parsed.get(data);
    if (!font) {
      font = fontkit.create(data, postscriptName);
      const createSubset = font.createSubset.bind(font);
      font.createSubset = () => mendCffSubset(createSubset());
      parsed.set(data, font);
    }
    return font;
  },
} as unknown as typeof fontkit;

/** The parts of fontkit's CFFSubset that `subsetFontdict` reads (not in its declared types). */
interface CffSubsetInternals {
  cff?: {
    fdForGlyph(gid: number): number | null;
    topDict: { FDArray: FontDict[] };
  };
  glyphs: number[];
  font: { getGlyph(gid: number): { path: unknown; _usedSubrs?: Record<string, boolean> } };
  subsetSubrs(subrs: unknown[], used: Record<string, boolean>): unknown[];
  subsetFontdict?: (topDict: SubsetTopDict) => void;
}
type FontDict = { FontName?: unknown; Private?: { Subrs?: unknown[] } & Record<string, unknown> };
type SubsetTopDict = { FDArray: FontDict[]; FDSelect: { version: 0; fds: number[] } };

/**
 * 1. The header's offSize byte: the fork writes the font's length there (valid: 1–4), and FreeType
 *    refuses the font ("unknown file format"): set to 4.
 * 2. The font dicts (FDSelect) of a CID-keyed font: the fork gives each glyph the font dict added
 *    *last* rather than its own, and records its local subroutines there, so a glyph whose font
 *    dict came earlier is drawn with another's subroutines — FreeType refuses it (线, 离, 核, 验
 *    in Noto Sans Hans). Replaced by the upstream logic: each glyph keeps its own font dict.
 */
function mendCffSubset(subset: Subset): Subset {
  const internals = subset as unknown as CffSubsetInternals;
  if (internals.cff && internals.subsetFontdict) internals.subsetFontdict = subsetFontdict.bind(internals);
  const encodeStream = subset.encodeStream.bind(subset);
  subset.encodeStream = () => {
    const out = new PassThrough();
    const parts: Uint8Array[] = [];
    // restructure's EncodeStream is a Node stream (its declared type lists data and end only).
    (encodeStream() as unknown as NodeJS.EventEmitter)
      .on('data', (b: Uint8Array) => parts.push(b))
      .on('end', () => {
        const bytes = Buffer.concat(parts);
        // A CFF header: major 1, minor, hdrSize, offSize (≤ 4).
        if (internals.cff && bytes[0] === 1 && (bytes[3] ?? 0) > 4) bytes[3] = 4;
        out.end(bytes);
      })
      .on('error', (err: Error) => out.destroy(err));
    return out as unknown as ReturnType<Subset['encodeStream']>;
  };
  return subset;
}

/** The subset's font dicts and FDSelect: each glyph its own font dict, with the local subroutines it uses. */
function subsetFontdict(this: CffSubsetInternals, topDict: SubsetTopDict): void {
  const cff = this.cff;
  if (!cff) return;
  topDict.FDArray = [];
  topDict.FDSelect = { version: 0, fds: [] };
  const at = new Map<number, number>();
  const used: Record<string, boolean>[] = [];
  for (const gid of this.glyphs) {
    const fd = cff.fdForGlyph(gid);
    if (fd === null || fd === undefined) continue;
    let index = at.get(fd);
    if (index === undefined) {
      index = topDict.FDArray.length;
      at.set(fd, index);
      topDict.FDArray.push({ ...cff.topDict.FDArray[fd] });
      used.push({});
    }
    topDict.FDSelect.fds.push(index);
    const glyph = this.font.getGlyph(gid);
    void glyph.path; // parsing the glyph records the subroutines it calls
    for (const subr of Object.keys(glyph._usedSubrs ?? {}))
      (used[index] as Record<string, boolean>)[subr] = true;
  }
  topDict.FDArray.forEach((dict, i) => {
    delete dict.FontName;
    if (dict.Private?.Subrs) {
      dict.Private = { ...dict.Private };
      dict.Private.Subrs = this.subsetSubrs(dict.Private.Subrs as unknown[], used[i] ?? {});
    }
  });
}
