import type {
  DispatchService,
  TaskDto,
  TaskPlan,
  TaskRouting,
  TeamDirectory,
} from '../modules/dispatch/index.ts';
import type { Principal } from '../platform/access.ts';
import type { Db } from '../platform/db/database.ts';
import type { Logger } from '../platform/logger.ts';
import { createStep, createWorkflow, StepResponse, type WorkflowRun } from './steps.ts';

/** What the task steps run over: dispatch's planning and writing, and the team index's loads. */
export interface TaskStepDeps {
  db: Db;
  dispatch: Pick<DispatchService, 'plan' | 'createTasks'>;
  teams: Pick<TeamDirectory, 'adjustLoad'>;
  logger: Logger;
}

/**
 * The two steps event intake, the centre's review, reopening and response-plan activation share:
 * plan an event's tasks (departments and nearest teams, outside any transaction), then write the
 * plan inside the caller's transaction. Writing assigns teams, which raises their load in the
 * in-memory team index at once; its compensation lowers the loads again when the transaction
 * around it fails, so the index does not count tasks that were never committed.
 */
export function taskSteps(deps: Pick<TaskStepDeps, 'dispatch' | 'teams'>) {
  const planTasks = createStep('plan-tasks', (input: Parameters<TaskRouting['plan']>) =>
    deps.dispatch.plan(...input),
  );
  const createTasks = createStep(
    'create-tasks',
    async (input: { trx: Db; actor: Principal; plan: TaskPlan }) => {
      const tasks = await deps.dispatch.createTasks(input.trx, input.actor, input.plan);
      return new StepResponse<TaskDto[], string[]>(tasks, assignedTeams(tasks));
    },
    (teamIds) => {
      for (const id of teamIds) deps.teams.adjustLoad(id, -1);
    },
  );
  return { planTasks, createTasks };
}

/** The teams whose load a write of new tasks raised. */
function assignedTeams(tasks: TaskDto[]): string[] {
  return tasks.flatMap((t) => (t.team && t.status === 'assigned' ? [t.team.id] : []));
}

/**
 * The task routing the events and scenarios modules are given: the shared steps, where every
 * `transaction` is a workflow run, so tasks written in it are compensated if it rolls back.
 */
export function taskRouting(deps: TaskStepDeps): TaskRouting {
  const steps = taskSteps(deps);
  const runs = new WeakMap<Db, WorkflowRun>();
  const write = createWorkflow(
    'write-with-tasks',
    async (work: (trx: Db) => Promise<unknown>, run) =>
      deps.db.transaction().execute(async (trx) => {
        runs.set(trx, run);
        return work(trx);
      }),
    {
      onCompensationError: (f) =>
        deps.logger.error({ err: f.error, step: f.step }, `${f.workflow}: compensation failed`),
    },
  );
  const once = createWorkflow('plan-tasks', (input: Parameters<TaskRouting['plan']>, run) =>
    run.step(steps.planTasks, input),
  );
  return {
    plan: (...input) => once(input),
    async createTasks(trx, actor, plan) {
      const run = runs.get(trx);
      if (run) return run.step(steps.createTasks, { trx, actor, plan });
      // A transaction not opened through `transaction` (the caller answers for it).
      return deps.dispatch.createTasks(trx, actor, plan);
    },
    transaction: <T>(work: (trx: Db) => Promise<T>) => write(work) as Promise<T>,
  };
}
