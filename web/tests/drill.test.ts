import { describe, expect, it } from 'vitest';
import {
  countBy,
  focusFromSearch,
  focusUrl,
  isWithin,
  pathCodes,
  teamsWithin,
} from '../src/cockpit/drill.ts';

describe('drill-down helpers', () => {
  it('splits paths and tells what lies within a scope', () => {
    expect(pathCodes('50/500103/500103003')).toEqual(['50', '500103', '500103003']);
    expect(isWithin('50/500103/500103003', '50/500103')).toBe(true);
    expect(isWithin('50/500103', '50/500103')).toBe(true);
    expect(isWithin('50/5001030', '50/500103')).toBe(false);
    expect(isWithin('50', '50/500103')).toBe(false);
  });

  it('reads and writes the focus in the URL', () => {
    expect(focusFromSearch('?at=500103', '50')).toBe('500103');
    expect(focusFromSearch('', '500103003')).toBe('500103003');
    expect(focusFromSearch('?at=../../x', '50')).toBe('50');
    expect(focusUrl('50', '50')).toBe('/');
    expect(focusUrl('500103', '50', '/cockpit')).toBe('/cockpit?at=500103');
  });

  it('filters teams to a node and counts by kind, most first', () => {
    const teams = [
      { jurisdictionPath: '50/500103/500103003', kind: 'grid_worker' },
      { jurisdictionPath: '50/500103/500103001', kind: 'police_patrol' },
      { jurisdictionPath: '50/500103/500103003', kind: 'grid_worker' },
      { jurisdictionPath: '50/500104/500104001', kind: 'grid_worker' },
    ];
    expect(teamsWithin(teams, '50/500103/500103003')).toHaveLength(2);
    expect(countBy(teamsWithin(teams, '50/500103'), (t) => t.kind)).toEqual([
      ['grid_worker', 2],
      ['police_patrol', 1],
    ]);
  });
});
