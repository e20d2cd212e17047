import { describe, expect, it } from 'vitest';
import { Gazetteer, type Place } from './open311.gazetteer.ts';

const places: Place[] = [
  { name: '重庆市', level: 'city', lon: 106.5, lat: 29.5, path: '50' },
  { name: '渝中区', level: 'district', lon: 106.57, lat: 29.55, path: '50/500103' },
  {
    name: '解放碑街道',
    level: 'street',
    lon: 106.58,
    lat: 29.556,
    path: '50/500103/500103003',
    hint: '渝中区',
  },
  { name: '解放碑', level: 'landmark', lon: 106.577, lat: 29.557 },
  { name: '解放碑步行街', level: 'landmark', lon: 106.578, lat: 29.558 },
  { name: '小什字站', level: 'landmark', lon: 106.584, lat: 29.56 },
  { name: '中山路街道', level: 'street', lon: 106.1, lat: 29.1, path: '50/500112/500112001', hint: '渝北区' },
  { name: '中山路街道', level: 'street', lon: 106.2, lat: 29.2, path: '50/500103/500103009', hint: '渝中区' },
];

/** The portal's address search: names containing the text, the closest matches first. */
describe('Gazetteer.search', () => {
  const g = new Gazetteer(places);

  it('puts whole names first, then names that start with the text, shorter first', () => {
    expect(g.search('解放碑').map((p) => `${p.name}:${p.level}`)).toEqual([
      '解放碑:landmark',
      '解放碑街道:street', // its short name 解放碑 is a whole match too
      '解放碑步行街:landmark',
    ]);
  });

  it('finds names containing the text, keeps same-named places apart, and never offers the city', () => {
    expect(g.search('字站').map((p) => p.name)).toEqual(['小什字站']);
    expect(g.search('中山路').map((p) => p.hint)).toEqual(['渝北区', '渝中区']);
    expect(g.search('重庆')).toEqual([]);
    expect(g.search(' ')).toEqual([]);
  });

  it('stops at the limit', () => {
    expect(g.search('解放', 2)).toHaveLength(2);
  });
});
