import { describe, expect, it } from 'vitest';
import { generateComplaints } from './complaints.generate.ts';
import { TEST_CATALOGUE, TEST_STREETS } from './enforcement.fixture.ts';
import { generateRegister } from './register.generate.ts';

const enterprises = generateRegister({
  streets: TEST_STREETS,
  industries: TEST_CATALOGUE.file.industries,
  count: 3000,
}).map((e) => ({
  code: e.creditCode,
  industry: e.industry,
  riskClass: e.riskClass,
  district: e.districtCode,
  path: e.jurisdictionPath,
}));
const options = { catalogue: TEST_CATALOGUE, enterprises, year: 2026, until: '2026-12-31' };

/** The demo's synthetic repeat-inspection complaints: deterministic, and the fall comes from merging alone. */
describe('synthetic repeat-inspection complaints', () => {
  const complaints = generateComplaints(options);
  const previous = complaints.filter((c) => c.receivedDate.startsWith('2025'));
  const current = complaints.filter((c) => c.receivedDate.startsWith('2026'));

  it('is deterministic and labelled synthetic', () => {
    expect(generateComplaints(options)).toEqual(complaints);
    expect(complaints.every((c) => c.synthetic && c.text.startsWith('（合成投诉）'))).toBe(true);
    expect(previous.length + current.length).toBe(complaints.length);
  });

  it('has complaints only where two visits fell within the quiet period, at most one per enterprise and year', () => {
    expect(complaints.every((c) => c.substantiated && c.visitIds.length >= 2)).toBe(true);
    expect(new Set(previous.map((c) => c.enterpriseCode)).size).toBe(previous.length);
    // A fixed 15% of enterprises complain (those with a repeat): far fewer than the register's share.
    expect(previous.length).toBeGreaterThan(0);
    expect(previous.length).toBeLessThan(0.15 * enterprises.length);
  });

  it('falls from last year (each department on its own) to this year (inspect once)', () => {
    expect(current.length).toBeLessThan(previous.length / 2);
  });

  it('stops this year’s complaints at `until`', () => {
    const early = generateComplaints({ ...options, until: '2026-06-30' });
    expect(early.filter((c) => c.receivedDate.startsWith('2025'))).toEqual(previous);
    expect(early.every((c) => c.receivedDate <= '2026-06-30')).toBe(true);
  });
});
