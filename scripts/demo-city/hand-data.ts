// Hand-made, APPROXIMATE shapes and points for the Chongqing demo city (lon, lat).
// Drawn from general knowledge of the map; not survey data and not for any real use.
import type { Pt, Ring } from './geo.ts';

/** Approximate outline of Chongqing municipality, clockwise from the Rongchang west edge. */
// biome-ignore format: compact coordinate table
export const OUTLINE: Ring = [
  [105.29, 29.45], [105.45, 29.72], [105.52, 30.15], [105.62, 30.42], [105.95, 30.3],
  [106.25, 30.42], [106.55, 30.25], [106.8, 30.05], [107.08, 30.12], [107.3, 30.48],
  [107.56, 30.8], [107.95, 31.15], [108.2, 31.55], [108.35, 31.85], [108.55, 32.2],
  [108.85, 32.15], [109.2, 31.85], [109.55, 31.7], [109.9, 31.52], [110.19, 31.15],
  [110.05, 30.85], [109.6, 30.6], [109.2, 30.5], [108.75, 30.35], [108.55, 30.05],
  [108.95, 29.7], [109.05, 29.3], [109.3, 28.85], [109.25, 28.45], [109.05, 28.16],
  [108.75, 28.3], [108.55, 28.6], [108.25, 28.85], [107.8, 28.95], [107.4, 28.85],
  [107.05, 28.65], [106.55, 28.5], [106.3, 28.55], [105.95, 28.85], [105.65, 29.05],
  [105.4, 29.2], [105.29, 29.45],
];

/** Yuzhong (渝中区) peninsula between the Jialing (north) and the Yangtze (south), ~26 km². */
export const YUZHONG_CODE = '500103';
// biome-ignore format: compact coordinate table
export const YUZHONG: Ring = [
  [106.59, 29.563], [106.585, 29.568], [106.575, 29.569], [106.555, 29.57], [106.54, 29.57],
  [106.525, 29.567], [106.51, 29.566], [106.495, 29.558], [106.5, 29.54], [106.52, 29.533],
  [106.535, 29.539], [106.55, 29.543], [106.565, 29.543], [106.578, 29.546], [106.586, 29.553],
  [106.59, 29.563],
];

/** Pinned street seeds (street code -> point): all of Yuzhong; 解放碑街道 sits exactly on Jiefangbei. */
export const PINNED_SEEDS: Record<string, Pt> = {
  '500103001': [106.561, 29.556], // 七星岗
  '500103003': [106.577, 29.557], // 解放碑 (exact, required)
  '500103004': [106.548, 29.556], // 两路口
  '500103005': [106.543, 29.565], // 上清寺
  '500103007': [106.547, 29.548], // 菜园坝
  '500103008': [106.565, 29.548], // 南纪门
  '500103010': [106.585, 29.563], // 朝天门
  '500103011': [106.557, 29.566], // 大溪沟
  '500103012': [106.52, 29.541], // 大坪
  '500103013': [106.512, 29.558], // 化龙桥
  '500103014': [106.527, 29.551], // 石油路
};

/** Extra district generators beyond seat and centroid, to keep districts connected and plausible. */
export const ANCHORS: Record<string, Pt[]> = {
  '500107': [[106.43, 29.5]], // 九龙坡: links the seat with the western part
  '500112': [
    [106.63, 29.72], // 渝北: airport area, links the seat with the north
    [106.8, 29.72], // 渝北: the east, keeps 江北 to the Yangtze bank
  ],
};

/** Places that must fall inside a given district (and street, if given); checked on every run. */
export const KNOWN_PLACES: { name: string; at: Pt; district: string; street?: string }[] = [
  { name: 'Jiefangbei 解放碑', at: [106.577, 29.557], district: '500103', street: '500103003' },
  { name: 'Jiaochangkou 较场口夜市', at: [106.574, 29.551], district: '500103' },
];
