import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEMO_ROADS_FILE, demoRoadsText } from './demo-network.ts';
import { parseNetwork } from './traffic.network.ts';

describe('demo road network', () => {
  it('is the generator’s output, byte for byte', () => {
    expect(fs.readFileSync(DEMO_ROADS_FILE, 'utf8')).toBe(demoRoadsText());
  });
  it('has arterials through Jiefangbei and every link marked approximate', () => {
    const links = parseNetwork(JSON.parse(fs.readFileSync(DEMO_ROADS_FILE, 'utf8')));
    expect(links.length).toBeGreaterThan(2000);
    expect(links.every((l) => l.approximate)).toBe(true);
    const near = links.filter(
      (l) =>
        l.roadClass === 'arterial' &&
        l.coordinates.some(([lon, lat]) => Math.abs(lon - 106.577) < 0.008 && Math.abs(lat - 29.557) < 0.006),
    );
    expect(near.length).toBeGreaterThanOrEqual(6);
  });
});
