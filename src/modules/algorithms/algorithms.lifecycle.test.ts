import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import type { Database } from '../../platform/db/database.ts';
import { testBackends } from '../../platform/db/testing.ts';
import type { AuditLog } from '../audit/index.ts';
import type { AlgorithmRegistry } from './algorithms.service.ts';
import { openRegistry, people, putInUse, sampleRegister } from './algorithms.testing.ts';

const KEY = 'dispatch.nearest-team';

describe.each(testBackends)('algorithm lifecycle on %s', (kind) => {
  let database: Database;
  let registry: AlgorithmRegistry;
  let audit: AuditLog;

  beforeAll(async () => {
    ({ database, registry, audit } = await openRegistry(kind));
    await registry.start();
  });
  afterAll(async () => {
    await registry?.stop();
    await database?.close();
  });

  const auditOf = async (subjectId: string) =>
    (await audit.list(database.db, SYSTEM_PRINCIPAL, { limit: 100, subjectId }))
      .map((e) => e.action)
      .reverse();

  it('creates a draft only for the owner department, and edits only drafts', async () => {
    await expect(
      registry.register.create(people.otherLiaison, {
        key: KEY,
        version: '1.0.0',
        register: sampleRegister(),
      }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    const draft = await registry.register.create(people.liaison, {
      key: KEY,
      version: '1.0.0',
      register: sampleRegister(),
    });
    expect(draft).toMatchObject({ status: 'draft', createdBy: `user:${people.liaison.id}` });
    const edited = await registry.register.update(people.liaison, KEY, '1.0.0', {
      register: { purpose: { zh: '缩短响应时间', en: 'Shorten response time' } },
    });
    expect(edited.register.purpose.en).toBe('Shorten response time');
    await expect(
      registry.register.create(people.liaison, { key: KEY, version: '0.9.0', register: sampleRegister() }),
    ).rejects.toMatchObject({ code: 'conflict' });
  });

  it('refuses a filing without assessments, and illegal jumps', async () => {
    await registry.register.create(people.liaison, {
      key: 'dispatch.incomplete',
      version: '1.0.0',
      register: sampleRegister({ selfAssessment: undefined }),
    });
    await expect(
      registry.register.transition(people.liaison, 'dispatch.incomplete', '1.0.0', {
        to: 'filed',
        reason: 'try',
      }),
    ).rejects.toMatchObject({ code: 'invalid_data', details: { missing: ['selfAssessment'] } });
    await expect(
      registry.register.transition(people.auditor, KEY, '1.0.0', { to: 'in_use', reason: 'skip the queue' }),
    ).rejects.toMatchObject({
      code: 'invalid_transition',
      details: { from: 'draft', to: 'in_use', allowed: ['filed'] },
    });
  });

  it('enforces roles and four-eyes, and audits refusals', async () => {
    const filed = await registry.register.transition(people.liaison, KEY, '1.0.0', {
      to: 'filed',
      reason: 'please review',
    });
    expect(filed.filedBy).toBe(`user:${people.liaison.id}`);
    await expect(
      registry.register.update(people.liaison, KEY, '1.0.0', {
        register: { impact: { zh: '改', en: 'changed' } },
      }),
    ).rejects.toMatchObject({ code: 'invalid_transition', details: { reason: 'not_draft' } });
    // A liaison may not approve; an admin may not stand in for an auditor.
    await expect(
      registry.register.transition(people.liaison, KEY, '1.0.0', { to: 'approved', reason: 'self' }),
    ).rejects.toMatchObject({ code: 'forbidden', details: { reason: 'role' } });
    await expect(
      registry.register.transition(people.admin, KEY, '1.0.0', { to: 'approved', reason: 'admin' }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    // An auditor who filed cannot approve their own filing.
    await registry.register.transition(people.liaison, KEY, '1.0.0', { to: 'draft', reason: 'withdrawn' });
    const auditorAsOwner = {
      ...people.auditor,
      roles: ['auditor' as const, 'department_liaison' as const],
      departmentCode: 'CGJ',
    };
    await registry.register.transition(auditorAsOwner, KEY, '1.0.0', { to: 'filed', reason: 'refiled' });
    await expect(
      registry.register.transition(people.auditor, KEY, '1.0.0', { to: 'approved', reason: 'mine' }),
    ).rejects.toMatchObject({ code: 'forbidden', details: { reason: 'four_eyes' } });
    const approved = await registry.register.transition(people.auditor2, KEY, '1.0.0', {
      to: 'approved',
      reason: 'ok',
    });
    expect(approved).toMatchObject({ status: 'approved', approvedBy: 'user:auditor-2' });
    const actions = await auditOf(`${KEY}@1.0.0`);
    expect(actions.filter((a) => a === 'algorithm.transition.refused')).toHaveLength(3);
  });

  it('puts in use, suspends (admin emergency), reinstates; each step audited with history', async () => {
    await registry.register.transition(people.auditor, KEY, '1.0.0', { to: 'in_use', reason: 'go live' });
    const suspended = await registry.register.transition(people.admin, KEY, '1.0.0', {
      to: 'suspended',
      reason: 'bad data',
    });
    expect(suspended.status).toBe('suspended');
    const back = await registry.register.transition(people.auditor, KEY, '1.0.0', {
      to: 'in_use',
      reason: 'fixed',
    });
    expect(back.register.startDate).toBe('2025-11-20');
    const history = await registry.register.transitions(KEY, '1.0.0');
    expect(history.map((h) => `${h.from}→${h.to}`)).toEqual([
      'null→draft',
      'draft→filed',
      'filed→draft',
      'draft→filed',
      'filed→approved',
      'approved→in_use',
      'in_use→suspended',
      'suspended→in_use',
    ]);
    expect(history[6]).toMatchObject({ reason: 'bad data', actor: `user:${people.admin.id}` });
    const actions = await auditOf(`${KEY}@1.0.0`);
    expect(actions.filter((a) => a !== 'algorithm.transition.refused')).toEqual([
      'algorithm.version.created',
      'algorithm.version.updated',
      'algorithm.version.filed',
      'algorithm.version.draft',
      'algorithm.version.filed',
      'algorithm.version.approved',
      'algorithm.version.in_use',
      'algorithm.version.suspended',
      'algorithm.version.in_use',
    ]);
    expect((await audit.verify(database.db)).ok).toBe(true);
  });

  it('files and approves a new version on its own; putting it in use retires the old one', async () => {
    const v2 = await putInUse(registry, KEY, '1.1.0');
    expect(v2.status).toBe('in_use');
    const v1 = await registry.register.get(KEY, '1.0.0');
    expect(v1).toMatchObject({ status: 'retired', register: { endDate: '2025-11-20' } });
    expect((await registry.register.transitions(KEY, '1.0.0')).at(-1)?.reason).toMatch(
      /^superseded by 1\.1\.0/,
    );
    expect(await registry.register.list({ key: KEY, status: 'in_use' })).toHaveLength(1);
    await expect(
      registry.register.transition(people.auditor, KEY, '1.0.0', { to: 'in_use', reason: 'back' }),
    ).rejects.toMatchObject({ code: 'invalid_transition' });
  });

  it('imports filings idempotently, as the platform only', async () => {
    const entry = {
      key: 'rules.engine',
      version: '1.0.0',
      status: 'in_use' as const,
      register: sampleRegister(),
    };
    await expect(registry.register.importVersion(people.admin, entry, 'x.json')).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect(await registry.register.importVersion(SYSTEM_PRINCIPAL, entry, 'x.json')).toBe(true);
    expect(await registry.register.importVersion(SYSTEM_PRINCIPAL, entry, 'x.json')).toBe(false);
    expect(await auditOf('rules.engine@1.0.0')).toEqual([
      'algorithm.version.imported',
      'algorithm.version.in_use',
    ]);
  });
});
