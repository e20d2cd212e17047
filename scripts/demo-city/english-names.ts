import { pinyin } from 'pinyin-pro';

/**
 * English names of the demo city's places: the proper name in Hanyu Pinyin (syllables joined,
 * first letter capital, an apostrophe before a syllable starting with a, o or e, as in Xi'an —
 * GB/T 16159 and the UN's romanisation of Chinese geographical names) and the kind of place
 * translated (区 District, 街道 Subdistrict, 镇 Town, 乡 Township, 县 County, 自治县 Autonomous
 * County with its peoples). Romanised automatically: a polyphonic character may be read wrongly.
 */
const KINDS: [string, string][] = [
  ['土家族苗族自治县', 'Tujia and Miao Autonomous County'],
  ['苗族土家族自治县', 'Miao and Tujia Autonomous County'],
  ['土家族自治县', 'Tujia Autonomous County'],
  ['自治县', 'Autonomous County'],
  ['街道', 'Subdistrict'],
  ['新区', 'New Area'],
  ['区', 'District'],
  ['县', 'County'],
  ['镇', 'Town'],
  ['乡', 'Township'],
  ['市', ''],
];

/** A Chinese proper name in Hanyu Pinyin as place names are written: `Jiefangbei`, `Xi'an`. */
export function romanise(zh: string): string {
  const syllables = pinyin(zh, { toneType: 'none', type: 'array', v: false });
  const joined = syllables
    .map((s, i) => (i > 0 && /^[aoe]/.test(s) ? `'${s}` : s))
    .join('')
    .replace(/\s+/g, '');
  return joined.charAt(0).toUpperCase() + joined.slice(1);
}

/** The English name of a place of the demo city: `解放碑街道` → `Jiefangbei Subdistrict`. */
export function englishName(zh: string): string {
  for (const [suffix, kind] of KINDS) {
    if (zh.endsWith(suffix) && zh.length > suffix.length) {
      const proper = romanise(zh.slice(0, -suffix.length));
      return kind ? `${proper} ${kind}` : proper;
    }
  }
  return romanise(zh);
}
