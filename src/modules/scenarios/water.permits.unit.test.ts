import { describe, expect, it } from 'vitest';
import { createLogger } from '../../platform/logger.ts';
import { type PermitInfo, suspectPermits } from './water.permits.ts';

const logger = createLogger('silent');
const permit = (enterprise: string): PermitInfo => ({
  enterprise,
  permitNo: `P-${enterprise}`,
  validUntil: '2028-06-30',
  river: '蒲河',
  limits: [{ pollutant: 'COD', limitMgL: 50 }],
  contact: { person: '张*', phone: '138****1701' },
  exchangeId: '7',
});

describe('the suspects’ discharge permits of a plan', () => {
  it('keeps the permits read and shows each in the instructions, contact as shared', async () => {
    const r = await suspectPermits(async () => [permit('甲厂')], ['甲厂'], 'p', logger);
    expect(r.permits).toHaveLength(1);
    expect(r.permitsReason).toBeUndefined();
    expect(r.permitLines).toBe(
      '甲厂 许可证 P-甲厂（有效期至 2028-06-30；COD ≤ 50 mg/L；联系人 张* 138****1701）',
    );
  });

  it('names the suspects without a permit on record', async () => {
    const r = await suspectPermits(async () => [permit('甲厂')], ['甲厂', '乙厂'], 'p', logger);
    expect(r.permits.map((p) => p.enterprise)).toEqual(['甲厂']);
    expect(r.permitsReason).toBe('no discharge permit on record for 乙厂');
    expect(r.permitLines).toContain('乙厂：未查到排污许可');
  });

  it('never fails: a refusal or an outage becomes the reason, with no permits', async () => {
    const down = async () => {
      throw new Error("source_unavailable: source 'demo-departments' (csv) is unavailable");
    };
    const r = await suspectPermits(down, ['甲厂'], 'p', logger);
    expect(r).toEqual({
      permits: [],
      permitsReason: "source_unavailable: source 'demo-departments' (csv) is unavailable",
      permitLines: "未取得（source_unavailable: source 'demo-departments' (csv) is unavailable）",
    });
  });

  it('reads nothing without suspects, and says so when no exchange is wired', async () => {
    let called = false;
    const lookup = async () => {
      called = true;
      return [];
    };
    expect(await suspectPermits(lookup, [], 'p', logger)).toEqual({ permits: [], permitLines: '无疑似源' });
    expect(called).toBe(false);
    expect((await suspectPermits(undefined, ['甲厂'], 'p', logger)).permitsReason).toContain(
      'no data exchange',
    );
  });
});
