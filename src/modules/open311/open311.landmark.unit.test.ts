/** The nearest landmark to a point (the field card's "near …"), from the gazetteer's place sources. */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../platform/clock.ts';
import type { EventService } from '../events/index.ts';
import { Open311Service } from './open311.service.ts';

const service = () => {
  const s = new Open311Service({
    events: {} as EventService,
    clock: systemClock,
    rules: async () => ({ items: [], domains: [] }),
    authenticate: async () => undefined,
    places: [
      async () => [
        { name: '渝中区', level: 'district', lon: 106.57, lat: 29.55, path: '50/500103' },
        { name: '解放碑', level: 'landmark', lon: 106.577, lat: 29.557 },
      ],
    ],
  });
  s.addPlaces(async () => [{ name: '较场口站', level: 'landmark', lon: 106.574, lat: 29.551 }]);
  return s;
};

describe('Open311Service.landmarkNear', () => {
  it.each([
    ['next to a landmark', 106.5771, 29.5571, '解放碑'],
    ['nearer the station than the square', 106.5742, 29.5512, '较场口站'],
    ['far from every landmark (jurisdictions do not count)', 106.6, 29.6, null],
  ])('%s', async (_, lon, lat, expected) => {
    expect(await service().landmarkNear(lon, lat)).toBe(expected);
  });
});
