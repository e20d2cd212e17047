import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.ts';
import { BasemapService } from './basemap.service.ts';
import type { BasemapSource, RoadLine } from './basemap.source.ts';

const road = (id: string, lon: number): RoadLine => ({
  id,
  name: id,
  roadClass: 'arterial',
  coordinates: [
    [lon, 29.55],
    [lon + 0.01, 29.56],
  ],
});

/** A source over a mutable list of roads that counts its reads. */
function source(roads: RoadLine[]) {
  const reads = { count: 0 };
  const src: BasemapSource = {
    roads: async () => {
      reads.count++;
      return [...roads];
    },
    areas: async () => [],
    rivers: async () => [],
  };
  return { src, reads };
}

describe('BasemapService', () => {
  it('builds the index once, not per tile, and again after the TTL or invalidate()', async () => {
    const roads = [road('a', 106.57)];
    const { src, reads } = source(roads);
    const clock = new ManualClock();
    const basemap = new BasemapService({ source: src, clock, options: { ttlMs: 60_000 } });
    const first = await basemap.tile('12', '3260', '1695');
    await basemap.tile('8', '203', '105');
    expect(reads.count).toBe(1);
    expect(first.bytes?.length).toBeGreaterThan(0);

    roads.push(road('b', 106.6));
    clock.advance(60_000);
    // The expired index still answers while the new one builds; the next request sees the new data.
    expect((await basemap.tile('12', '3260', '1695')).etag).toBe(first.etag);
    await new Promise((r) => setTimeout(r, 0));
    expect(reads.count).toBe(2);
    expect((await basemap.tile('12', '3260', '1695')).etag).not.toBe(first.etag);

    basemap.invalidate();
    await basemap.tile('12', '3260', '1695');
    expect(reads.count).toBe(3);
  });

  it('keeps the last good index when a rebuild fails', async () => {
    let fail = false;
    const clock = new ManualClock();
    const basemap = new BasemapService({
      clock,
      options: { ttlMs: 1_000 },
      source: {
        roads: async () => {
          if (fail) throw new Error('database down');
          return [road('a', 106.57)];
        },
        areas: async () => [],
        rivers: async () => [],
      },
    });
    const good = await basemap.tile('12', '3260', '1695');
    fail = true;
    clock.advance(1_000);
    expect((await basemap.tile('12', '3260', '1695')).etag).toBe(good.etag);
    await new Promise((r) => setTimeout(r, 0));
    expect((await basemap.tile('12', '3260', '1695')).etag).toBe(good.etag);
  });

  it('answers no bytes where there is nothing, with a stable tag', async () => {
    const { src } = source([road('a', 106.57)]);
    const basemap = new BasemapService({ source: src, clock: new ManualClock() });
    const empty = await basemap.tile('10', '300', '400');
    expect(empty.bytes).toBeUndefined();
    expect((await basemap.tile('10', '300', '400')).etag).toBe(empty.etag);
  });
});
