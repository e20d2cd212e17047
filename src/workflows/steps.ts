/**
 * Workflows of named steps, in the spirit of Medusa v2's `createStep` / `createWorkflow` /
 * `StepResponse`, without an engine: a step declares its action and, optionally, how to undo it;
 * a workflow runs steps in order and, when anything after a finished step throws, runs the
 * finished steps' compensations in reverse order, then rethrows the original error.
 */

/** What a step answers: its output, and what its compensation needs (default: the output). */
export class StepResponse<O, C = O> {
  readonly output: O;
  readonly compensateInput: C;

  constructor(output: O, compensateInput?: C) {
    this.output = output;
    this.compensateInput = (compensateInput === undefined ? output : compensateInput) as C;
  }
}

/** A named step: its action, and the compensation that undoes it after a later failure. */
export interface Step<I, O, C = O> {
  readonly name: string;
  invoke(input: I): Promise<O | StepResponse<O, C>>;
  compensate?: (compensateInput: C) => Promise<void> | void;
}

/** Declares a step. The compensation is run only for a step that finished. */
export function createStep<I, O, C = O>(
  name: string,
  invoke: (input: I) => Promise<O | StepResponse<O, C>>,
  compensate?: (compensateInput: C) => Promise<void> | void,
): Step<I, O, C> {
  return compensate ? { name, invoke, compensate } : { name, invoke };
}

/** Runs steps inside a workflow, remembering how to undo each one that finished. */
export interface WorkflowRun {
  readonly workflow: string;
  step<I, O, C>(step: Step<I, O, C>, input: I): Promise<O>;
}

/** A compensation that threw, reported beside the error that made the workflow fail. */
export interface CompensationFailure {
  workflow: string;
  step: string;
  error: unknown;
}

/** Options of a workflow: where failed compensations are reported (default: ignored after all ran). */
export interface WorkflowOptions {
  onCompensationError?: (failure: CompensationFailure) => void;
}

/**
 * Declares a workflow: `body` composes steps through `run.step`. When the body throws, every
 * finished step's compensation runs, last first; a compensation that throws is reported and the
 * rest still run; the body's error is rethrown unchanged.
 */
export function createWorkflow<I, O>(
  name: string,
  body: (input: I, run: WorkflowRun) => Promise<O>,
  options: WorkflowOptions = {},
): (input: I) => Promise<O> {
  return async (input) => {
    const undo: { step: string; run: () => Promise<void> | void }[] = [];
    const run: WorkflowRun = {
      workflow: name,
      async step(step, stepInput) {
        const response = await invoke(step, stepInput);
        const { compensate } = step;
        if (compensate) undo.push({ step: step.name, run: () => compensate(response.compensateInput) });
        return response.output;
      },
    };
    try {
      return await body(input, run);
    } catch (err) {
      for (const { step, run: compensate } of undo.reverse()) {
        try {
          await compensate();
        } catch (error) {
          options.onCompensationError?.({ workflow: name, step, error });
        }
      }
      throw err;
    }
  };
}

/** Runs a step's action; a bare output stands for a response whose compensation input is that output. */
async function invoke<I, O, C>(step: Step<I, O, C>, input: I): Promise<StepResponse<O, C>> {
  const answer = await step.invoke(input);
  return answer instanceof StepResponse ? answer : new StepResponse<O, C>(answer);
}
