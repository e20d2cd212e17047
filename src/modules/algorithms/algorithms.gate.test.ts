import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../platform/db/database.ts';
import { testBackends } from '../../platform/db/testing.ts';
import type { AlgorithmImpl } from './algorithms.gate.ts';
import type { AlgorithmRegistry } from './algorithms.service.ts';
import { openRegistry, people } from './algorithms.testing.ts';

interface Input {
  event: { id: string; category: string };
  reporter: { phone: string; idNumber: string; name: string };
}

const nearestTeam: AlgorithmImpl<Input, { teamId: string }> = (input) => ({
  output: { teamId: '0412' },
  explanation: {
    text: "team 0412 chosen: 380 m, on duty, skill 'smoke'; next best 0413 at 910 m",
    zh: '选择0412队：380米，在岗，技能“油烟”；次优0413队，910米',
    data: { chosen: { team: '0412', distanceM: 380 }, nextBest: { team: '0413', distanceM: 910 } },
  },
  subjects: [{ type: 'event', id: input.event.id }],
});

const input = (id: string): Input => ({
  event: { id, category: 'smoke' },
  reporter: { phone: '13812345678', idNumber: '500103199001011234', name: '李娜' },
});

describe.each(testBackends)('runtime gate on %s', (kind) => {
  let database: Database;
  let registry: AlgorithmRegistry;

  beforeAll(async () => {
    ({ database, registry } = await openRegistry(kind));
    await registry.start();
  });
  afterAll(async () => {
    await registry?.stop();
    await database?.close();
  });

  it('refuses an unfiled algorithm: throws, falls back, and logs the refusal', async () => {
    let ran = false;
    const impl: AlgorithmImpl<Input, { teamId: string }> = (i, m) => {
      ran = true;
      return nearestTeam(i, m);
    };
    await expect(registry.run('dispatch.unfiled', input('E1'), impl)).rejects.toMatchObject({
      code: 'conflict',
      details: { reason: 'algorithm_not_in_use', cause: 'unknown_algorithm', key: 'dispatch.unfiled' },
    });
    const fallback = await registry.runOrFallback('dispatch.unfiled', input('E1'), impl);
    expect(fallback).toMatchObject({ decided: false, reason: 'algorithm_not_in_use' });
    expect(ran).toBe(false);
    await registry.flush();
    const rows = await database.db
      .selectFrom('algorithm_decision')
      .selectAll()
      .where('algorithm_key', '=', 'dispatch.unfiled')
      .execute();
    expect(rows.map((r) => [r.outcome, r.reason])).toEqual([
      ['refused', 'unknown_algorithm'],
      ['refused', 'unknown_algorithm'],
    ]);
    expect(rows[0]?.inputs).toEqual({});
  });

  it('refuses a draft, and a pinned version that is not the one in use', async () => {
    await registry.register.create(people.liaison, {
      key: 'dispatch.nearest-team',
      version: '1.0.0',
      register: (await import('./algorithms.testing.ts')).sampleRegister(),
    });
    const r = await registry.runOrFallback('dispatch.nearest-team', input('E2'), nearestTeam);
    expect(r).toMatchObject({ decided: false, refusal: { cause: 'no_version_in_use' } });
  });

  it('decides once in use, and the decision explains itself with masked inputs', async () => {
    await registry.register.transition(people.liaison, 'dispatch.nearest-team', '1.0.0', {
      to: 'filed',
      reason: 'ready',
    });
    await registry.register.transition(people.auditor, 'dispatch.nearest-team', '1.0.0', {
      to: 'approved',
      reason: 'ok',
    });
    await registry.register.transition(people.auditor, 'dispatch.nearest-team', '1.0.0', {
      to: 'in_use',
      reason: 'live',
    });
    const gated = registry.gate('dispatch.nearest-team', nearestTeam);
    const d = await gated.run(input('E3'), { principal: people.dispatcher, jurisdictionPath: '50/500103' });
    expect(d).toMatchObject({ decided: true, version: '1.0.0', output: { teamId: '0412' } });
    const why = await registry.decisions.why(people.dispatcher, { type: 'event', id: 'E3' });
    expect(why).toHaveLength(1);
    expect(why[0]).toMatchObject({
      id: d.decisionId,
      key: 'dispatch.nearest-team',
      outcome: 'decided',
      inputs: {
        'event.category': 'smoke',
        'reporter.phone': '138****5678',
        'reporter.idNumber': '500103********1234',
      },
      output: { teamId: '0412' },
      principal: `user:${people.dispatcher.id}`,
    });
    expect(why[0]?.explanation?.text).toContain('next best 0413 at 910 m');
    expect(JSON.stringify(why)).not.toContain('13812345678');
    expect(JSON.stringify(why)).not.toContain('李娜');
    expect(why[0]?.inputDigest).toMatch(/^[0-9a-f]{64}$/);
    // Scoped: a street operator elsewhere does not see it.
    const elsewhere = { ...people.dispatcher, jurisdictionPath: '50/500104' };
    expect(await registry.decisions.why(elsewhere, { type: 'event', id: 'E3' })).toEqual([]);
    await expect(
      registry.gate('dispatch.nearest-team', nearestTeam, '0.9.0').run(input('E4')),
    ).rejects.toMatchObject({ details: { cause: 'unknown_algorithm', version: '0.9.0' } });
  });

  it('stops deciding at once when suspended, in the same process', async () => {
    await registry.register.transition(people.admin, 'dispatch.nearest-team', '1.0.0', {
      to: 'suspended',
      reason: 'emergency: wrong positions',
    });
    const r = await registry.runOrFallback('dispatch.nearest-team', input('E5'), nearestTeam, {
      subjects: [{ type: 'event', id: 'E5' }],
    });
    expect(r).toMatchObject({ decided: false, refusal: { cause: 'no_version_in_use' } });
    await registry.flush();
    const why = await registry.decisions.why(people.admin, { type: 'event', id: 'E5' });
    // The "why" of E5 shows that the algorithm was refused, so people handled it.
    expect(why).toMatchObject([
      { outcome: 'refused', reason: 'no_version_in_use', output: null, explanation: null },
    ]);
  });

  it('logs an implementation error as outcome error and routes to people', async () => {
    await registry.register.transition(people.auditor, 'dispatch.nearest-team', '1.0.0', {
      to: 'in_use',
      reason: 'fixed',
    });
    const broken: AlgorithmImpl<Input, never> = () => {
      throw new Error('no team reachable from 13812345678');
    };
    const r = await registry.runOrFallback('dispatch.nearest-team', input('E6'), broken, {
      subjects: [{ type: 'event', id: 'E6' }],
    });
    expect(r).toMatchObject({ decided: false, reason: 'algorithm_error' });
    const [logged] = await registry.decisions.why(people.admin, { type: 'event', id: 'E6' });
    expect(logged).toMatchObject({ outcome: 'error', reason: 'no team reachable from 138****5678' });
  });

  it('keeps the log append-only', async () => {
    await expect(
      database.db.updateTable('algorithm_decision').set({ outcome: 'decided' }).execute(),
    ).rejects.toThrow(/append-only/);
    await expect(database.db.deleteFrom('algorithm_decision').execute()).rejects.toThrow(/append-only/);
  });
});
