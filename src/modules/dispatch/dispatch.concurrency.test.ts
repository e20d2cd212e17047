import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../../platform/db/testing.ts';
import { openEventCentre, people } from '../events/events.fixture.ts';

type Centre = Awaited<ReturnType<typeof openEventCentre>>;

/** What a rejected promise was rejected with, or undefined when it held. */
const outcome = async (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (err: { code?: string; message?: string }) => err,
  );

/** Files `n` citizen complaints in one street, far enough apart not to be merged; returns their lead tasks' ids. */
async function complaints(ec: Centre, round: number, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await ec.events.intake(people.citizen, 'citizen', {
      description: '解放碑路口占道摆摊',
      location: { lon: 106.572 + round * 0.009, lat: 29.505 + i * 0.007 },
    });
    ids.push(r.tasks[0]!.id);
  }
  return ids;
}

// Several connections at once exist only on PostgreSQL (PGlite runs one statement at a time).
const concurrent = testBackends.filter((k) => k === 'postgres');

/**
 * Field actions, the escalation scheduler and the event centre write the same rows (tasks, their
 * event, the audit chain's head) from concurrent transactions. They must take them in one order,
 * or PostgreSQL breaks the cycle by killing one with `deadlock detected` and a user sees a 500.
 */
describe.each(concurrent)('concurrent dispatch writes on %s', (kind) => {
  let ec: Centre;
  beforeAll(async () => {
    ec = await openEventCentre(kind);
  }, 60_000);
  afterAll(async () => {
    await ec?.close();
  });

  it('escalation tick and officers accepting the same overdue tasks never deadlock', async () => {
    for (let round = 0; round < 3; round++) {
      const ids = await complaints(ec, round, 12);
      ec.clock.advance(16 * 60_000); // every accept limit is missed
      // Accept in the reverse of the scheduler's (due-time) order, so the two meet in the middle.
      const results = await Promise.all([
        outcome(ec.scheduler.tick()),
        ...ids.reverse().map((id) => outcome(ec.dispatch.act(people.district, id, 'accept'))),
        outcome(ec.scheduler.tick()),
      ]);
      // An accept that comes after the escalation is refused (the task went up to the district
      // centre, unassigned): a 409 the officer understands. Nothing else may fail.
      const failures = results.filter((r) => r !== undefined && r.code !== 'invalid_transition');
      expect(failures.map((f) => f?.message)).toEqual([]);
      const refused = results.filter((r) => r?.code === 'invalid_transition').length;
      // Each task was either accepted first (no escalation) or escalated first (pending at the
      // district centre, once): the tick that met a task being accepted waited for it.
      await ec.scheduler.tick();
      let pending = 0;
      for (const id of ids) {
        const task = await ec.dispatch.get(people.district, id);
        if (task.status === 'accepted') expect(task.escalations).toBe(0);
        else {
          expect(task).toMatchObject({ status: 'pending', level: 'district', escalations: 1 });
          pending += 1;
        }
      }
      expect(pending).toBe(refused);
    }
    const chain = await ec.audit.verify(ec.db);
    expect(chain.ok).toBe(true);
  }, 120_000);
});
