import { describe, expect, it } from 'vitest';
import type { TaskDto, TaskPlan } from '../modules/dispatch/index.ts';
import { SYSTEM_PRINCIPAL } from '../platform/access.ts';
import type { Db } from '../platform/db/database.ts';
import { createLogger } from '../platform/logger.ts';
import { taskRouting } from './task-steps.ts';

/** A database stand-in whose transaction hands its callback one object and rethrows what it throws. */
function fakeDb() {
  const trx = { id: 'trx' } as unknown as Db;
  const db = { transaction: () => ({ execute: <T>(work: (t: Db) => Promise<T>) => work(trx) }) };
  return { db: db as unknown as Db, trx };
}

/** Dispatch creating one assigned task per plan item and raising its team's load, as the assigner does. */
function fakeDispatch(loads: Map<string, number>) {
  return {
    plan: async () => ({ eventId: 'e1', items: [] }) as TaskPlan,
    createTasks: async (_trx: Db, _actor: unknown, plan: TaskPlan) =>
      plan.items.map((_, i) => {
        const id = `team-${i}`;
        loads.set(id, (loads.get(id) ?? 0) + 1);
        return { id: `task-${i}`, status: 'assigned', team: { id } } as unknown as TaskDto;
      }),
  };
}

const plan = { eventId: 'e1', items: [{}, {}] } as unknown as TaskPlan;

describe('the shared task steps', () => {
  const setup = () => {
    const loads = new Map<string, number>();
    const { db } = fakeDb();
    const teams = { adjustLoad: (id: string, d: number) => loads.set(id, (loads.get(id) ?? 0) + d) };
    const routing = taskRouting({ db, dispatch: fakeDispatch(loads), teams, logger: createLogger('silent') });
    return { loads, routing };
  };

  it('keeps the team loads of tasks written in a transaction that commits', async () => {
    const { loads, routing } = setup();
    const tasks = await routing.transaction((trx) => routing.createTasks(trx, SYSTEM_PRINCIPAL, plan));
    expect(tasks).toHaveLength(2);
    expect([...loads.values()]).toEqual([1, 1]);
  });

  it('releases the team loads when the transaction fails after the tasks were written', async () => {
    const { loads, routing } = setup();
    await expect(
      routing.transaction(async (trx) => {
        await routing.createTasks(trx, SYSTEM_PRINCIPAL, plan);
        throw new Error('event update failed');
      }),
    ).rejects.toThrow('event update failed');
    expect([...loads.values()]).toEqual([0, 0]);
  });
});
