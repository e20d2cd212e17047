import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { commitmentOf, type DrawInputs, drawJoint, inputsDigest } from '../modules/enforcement/index.ts';
import { CliError } from './cli-error.ts';

/** What re-running a published draw found. */
export interface DrawCheck {
  drawId: string;
  commitmentMatches: boolean;
  inputsDigestMatches: boolean;
  resultMatches: boolean;
  selections: number;
  holds: boolean;
}

/**
 * Re-runs a published draw here, trusting nothing but what the instance published: the seed must
 * hash to the commitment, the inputs to their digest, and drawJoint(seed, inputs) must give the
 * published result (digest and selections).
 */
export async function checkPublishedDraw(
  id: string,
  get: (path: string) => Promise<unknown>,
): Promise<DrawCheck> {
  const draw = (await get(`/api/v1/enforcement/draws/${encodeURIComponent(id)}`)) as {
    status: string;
    seed: string | null;
    commitment: string;
    inputsDigest: string;
    resultDigest: string | null;
    selections: unknown[] | null;
  };
  if (draw.status !== 'revealed' || !draw.seed)
    throw new CliError(`draw ${id} is not revealed yet (${draw.status})`);
  const inputs = (await get(`/api/v1/enforcement/draws/${encodeURIComponent(id)}/inputs`)) as DrawInputs;
  const result = drawJoint(draw.seed, inputs);
  const commitmentMatches = commitmentOf(draw.seed) === draw.commitment;
  const inputsDigestMatches = inputsDigest(inputs) === draw.inputsDigest;
  const resultMatches =
    result.resultDigest === draw.resultDigest &&
    JSON.stringify(result.selections) === JSON.stringify(draw.selections);
  return {
    drawId: id,
    commitmentMatches,
    inputsDigestMatches,
    resultMatches,
    selections: result.selections.length,
    holds: commitmentMatches && inputsDigestMatches && resultMatches,
  };
}

/** `citybrain draw verify ID`: re-runs a published 双随机 draw locally and compares. */
export function registerDrawCommand(program: Command, config: () => Config): void {
  program
    .command('draw')
    .description('double-random draws (双随机一公开)')
    .command('verify <id>')
    .description(
      "re-run a published draw here from its seed and inputs and compare with the instance's result",
    )
    .option('--url <url>', 'the instance (default http://127.0.0.1:<port>)')
    .option('--json', 'print the check as one line of JSON; exit 0 only when it holds')
    .action(async (id: string, o: { url?: string; json?: boolean }) => {
      const base = o.url ?? `http://127.0.0.1:${config().port}`;
      const check = await checkPublishedDraw(id, async (path) => {
        const res = await fetch(new URL(path, base));
        if (!res.ok) throw new CliError(`${path}: ${res.status} ${await res.text()}`);
        return res.json();
      });
      if (o.json) process.stdout.write(`${JSON.stringify(check)}\n`);
      else
        process.stdout.write(
          `draw ${id}: commitment ${check.commitmentMatches ? 'ok' : 'MISMATCH'}, inputs ${check.inputsDigestMatches ? 'ok' : 'MISMATCH'}, result ${check.resultMatches ? 'ok' : 'MISMATCH'} (${check.selections} selections)\n`,
        );
      if (!check.holds) process.exitCode = 1;
    });
}
