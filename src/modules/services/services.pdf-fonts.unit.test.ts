import fontkit from '@pdf-lib/fontkit';
import { describe, expect, it } from 'vitest';
import { certificateFontkit, cjkFonts } from './services.pdf-fonts.ts';

/** The certificate's Chinese, in the order the PDF draws it (the note's 线离核验 come after a third font dict). */
const TEXT =
  '出生医学证明办理新儿一件事刘晓雯陈语桐重庆市卫健康委员会长期二维码内容为经平台密钥签名的照信息（），可在线或离核验。';

// biome-ignore lint/suspicious/noExplicitAny: fontkit's CFF internals (parser, glyph class) are not in its types
type Loose = any;

/** Subsets the font with `kit` and answers the header's offSize and the characters whose outline the subset changed. */
async function subsetOf(kit: typeof fontkit): Promise<{ offSize: number; changed: string[] }> {
  const font: Loose = kit.create(cjkFonts().regular);
  const glyphs: Loose[] = font.glyphsForString(TEXT);
  const subset: Loose = font.createSubset();
  for (const g of glyphs) subset.includeGlyph(g);
  const bytes = await new Promise<Buffer>((resolve) => {
    const parts: Buffer[] = [];
    subset
      .encodeStream()
      .on('data', (b: Buffer) => parts.push(b))
      .on('end', () => resolve(Buffer.concat(parts)));
  });
  // Read the subset back with fontkit's own CFF parser and draw each glyph from it.
  const cff = font['CFF '];
  const parsed = new cff.constructor(new cff.stream.constructor(bytes));
  const Glyph = glyphs[0].constructor;
  const host = {
    'CFF ': parsed,
    stream: parsed.stream,
    _variationProcessor: null,
    unitsPerEm: font.unitsPerEm,
  };
  const changed = glyphs.flatMap((g, i) => {
    try {
      return new Glyph(i + 1, [], host).path.toSVG() === g.path.toSVG() ? [] : [[...TEXT][i] as string];
    } catch {
      return [[...TEXT][i] as string];
    }
  });
  return { offSize: bytes[3] ?? 0, changed };
}

describe('the certificates’ CFF subsets of Noto Sans Hans', () => {
  it('are mended: a valid header and every glyph drawn as in the full font', async () => {
    expect(new Set(TEXT).size).toBe([...TEXT].length); // one subset glyph per character
    const mended = await subsetOf(certificateFontkit);
    expect(mended).toEqual({ offSize: 4, changed: [] });
    // What @pdf-lib/fontkit 1.1.1 does alone (if this starts to pass, the fork was fixed).
    const plain = await subsetOf(fontkit);
    expect(plain.offSize).toBeGreaterThan(4);
    expect(plain.changed).toEqual(['线', '离', '核', '验']);
  });
});
