/** The task state machine: which action may start from which status, no database. */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.ts';
import { assertTransition } from './dispatch.core.ts';
import {
  FINAL_STATUSES,
  TASK_STATUSES,
  type TaskAction,
  type TaskStatus,
  TRANSITIONS,
} from './dispatch.schema.ts';

const ACTIONS = Object.keys(TRANSITIONS) as TaskAction[];

/** The whole table written out: the statuses each action may start from. */
const ALLOWED: Record<TaskAction, TaskStatus[]> = {
  accept: ['assigned'],
  en_route: ['accepted', 'en_route'],
  arrive: ['accepted', 'en_route'],
  complete: ['accepted', 'en_route', 'arrived'],
  unable: ['accepted', 'en_route', 'arrived'],
  return: ['assigned', 'accepted'],
  assign: ['pending', 'assigned', 'accepted', 'en_route', 'unable'],
  cancel: ['pending', 'assigned', 'accepted', 'en_route', 'arrived', 'unable'],
  redo: ['completed'],
};

const refusal = (status: string, action: TaskAction): AppError | undefined => {
  try {
    assertTransition({ id: 'T1', status }, action);
    return undefined;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
};

describe('assertTransition', () => {
  const cases = ACTIONS.flatMap((action) =>
    TASK_STATUSES.map((status) => [action, status, ALLOWED[action].includes(status)] as const),
  );

  it.each(cases)('%s from %s allowed: %s', (action, status, allowed) => {
    const err = refusal(status, action);
    if (allowed) expect(err).toBeUndefined();
    else expect(err?.code).toBe('invalid_transition');
  });

  it('knows exactly the actions of the table above', () => {
    expect(ACTIONS.sort()).toEqual(Object.keys(ALLOWED).sort());
  });

  it('says what was tried, from where, and what would have been allowed', () => {
    const err = refusal('pending', 'accept');
    expect(err?.message).toBe('cannot accept task T1: it is pending');
    expect(err?.details).toEqual({ action: 'accept', from: 'pending', allowedFrom: ['assigned'] });
    expect(refusal('completed', 'en_route')?.message).toBe('cannot en route task T1: it is completed');
  });

  it('lets no action but redo leave a final status, and redo only reopens a completed task', () => {
    for (const status of FINAL_STATUSES) {
      const leaving = ACTIONS.filter((a) => !refusal(status, a));
      expect(leaving, status).toEqual(status === 'completed' ? ['redo'] : []);
    }
    expect(TRANSITIONS.redo.to).toBe('accepted');
  });

  it('allows repeating en route (a position update on the way), nothing else from itself but assign', () => {
    const selfLoops = ACTIONS.filter((a) =>
      (TRANSITIONS[a].from as readonly string[]).includes(TRANSITIONS[a].to),
    );
    expect(selfLoops.sort()).toEqual(['assign', 'en_route']);
  });

  it('refuses every action on a status it does not know', () => {
    for (const action of ACTIONS) expect(refusal('lost', action)?.code, action).toBe('invalid_transition');
  });

  it('throws, never passes, on an action it does not know', () => {
    expect(() => assertTransition({ id: 'T1', status: 'assigned' }, 'teleport' as TaskAction)).toThrow();
  });
});
