import { describe, expect, it } from 'vitest';
import { losFromDensity, losFromFlow, losFromSpace, worse } from './fruin.ts';

describe('Fruin walkway level of service', () => {
  it('density band edges (persons/m²): an edge value belongs to the better level', () => {
    const cases: [number, string][] = [
      [0, 'A'],
      [0.31, 'A'],
      [0.3101, 'B'],
      [0.43, 'B'],
      [0.4301, 'C'],
      [0.72, 'C'],
      [0.7201, 'D'],
      [1.08, 'D'],
      [1.0801, 'E'],
      [2.15, 'E'],
      [2.1501, 'F'],
      [4, 'F'],
    ];
    for (const [d, los] of cases) expect(losFromDensity(d), `${d}`).toBe(los);
  });

  it('space band edges (m²/person)', () => {
    const cases: [number, string][] = [
      [10, 'A'],
      [3.25, 'A'],
      [3.249, 'B'],
      [2.32, 'B'],
      [2.319, 'C'],
      [1.39, 'C'],
      [1.389, 'D'],
      [0.93, 'D'],
      [0.929, 'E'],
      [0.46, 'E'],
      [0.459, 'F'],
    ];
    for (const [s, los] of cases) expect(losFromSpace(s), `${s}`).toBe(los);
  });

  it('flow band edges (persons/min/m): A < 23, B 23–33, …, E 66–82, F > 82', () => {
    const cases: [number, string][] = [
      [0, 'A'],
      [22.99, 'A'],
      [23, 'B'],
      [32.99, 'B'],
      [33, 'C'],
      [48.99, 'C'],
      [49, 'D'],
      [65.99, 'D'],
      [66, 'E'],
      [82, 'E'],
      [82.01, 'F'],
    ];
    for (const [f, los] of cases) expect(losFromFlow(f), `${f}`).toBe(los);
  });

  it('worse of two levels', () => {
    expect(worse('B', 'E')).toBe('E');
    expect(worse('F', 'A')).toBe('F');
  });
});
