import { describe, expect, it } from 'vitest';
import { type CompensationFailure, createStep, createWorkflow, StepResponse } from './steps.ts';

describe('workflows of named steps', () => {
  const log: string[] = [];
  const reserve = createStep(
    'reserve',
    async (n: number) => {
      log.push(`reserve ${n}`);
      return new StepResponse(`r${n}`, n);
    },
    (n) => {
      log.push(`release ${n}`);
    },
  );
  const plain = createStep('plain', async (s: string) => `${s}!`);

  it('runs the steps in order and returns what the body returns', async () => {
    log.length = 0;
    const wf = createWorkflow('ok', async (n: number, run) => {
      const a = await run.step(reserve, n);
      const b = await run.step(plain, a);
      return b;
    });
    expect(await wf(1)).toBe('r1!');
    expect(log).toEqual(['reserve 1']);
  });

  it('compensates finished steps in reverse order when a later step throws, and rethrows', async () => {
    log.length = 0;
    const boom = createStep('boom', async () => {
      throw new Error('boom');
    });
    const wf = createWorkflow('fails', async (_: undefined, run) => {
      await run.step(reserve, 1);
      await run.step(plain, 'x');
      await run.step(reserve, 2);
      await run.step(boom, undefined);
    });
    await expect(wf(undefined)).rejects.toThrow('boom');
    expect(log).toEqual(['reserve 1', 'reserve 2', 'release 2', 'release 1']);
  });

  it('compensates when the body throws outside a step (e.g. the transaction around the steps)', async () => {
    log.length = 0;
    const wf = createWorkflow('body fails', async (_: undefined, run) => {
      await run.step(reserve, 3);
      throw new Error('commit failed');
    });
    await expect(wf(undefined)).rejects.toThrow('commit failed');
    expect(log).toEqual(['reserve 3', 'release 3']);
  });

  it('does not compensate the step that threw, and uses the output when no compensation input is given', async () => {
    const seen: string[] = [];
    const half = createStep(
      'half',
      async (fail: boolean) => {
        if (fail) throw new Error('half');
        return 'done';
      },
      (out) => {
        seen.push(out);
      },
    );
    const wf = createWorkflow('x', async (fail: boolean, run) => {
      await run.step(half, false);
      await run.step(half, fail);
    });
    await expect(wf(true)).rejects.toThrow('half');
    expect(seen).toEqual(['done']);
  });

  it('runs every compensation even when one throws, reports it and keeps the original error', async () => {
    log.length = 0;
    const failures: CompensationFailure[] = [];
    const bad = createStep(
      'bad',
      async () => 1,
      () => {
        throw new Error('cannot undo');
      },
    );
    const wf = createWorkflow(
      'partial',
      async (_: undefined, run) => {
        await run.step(reserve, 1);
        await run.step(bad, undefined);
        throw new Error('original');
      },
      { onCompensationError: (f) => failures.push(f) },
    );
    await expect(wf(undefined)).rejects.toThrow('original');
    expect(log).toEqual(['reserve 1', 'release 1']);
    expect(failures.map((f) => [f.workflow, f.step])).toEqual([['partial', 'bad']]);
  });
});
