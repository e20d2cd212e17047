import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { demoSecretsFile } from '../demo/prepare.ts';
import { jointInspection } from '../simulate/enforcement-story.ts';
import { lifeCircleStory } from '../simulate/life-circle-story.ts';
import { parkingStory } from '../simulate/parking-story.ts';
import { patrolStory } from '../simulate/patrol-story.ts';
import { remoteDriver } from '../simulate/remote-driver.ts';
import { serviceStory } from '../simulate/services-stories.ts';
import {
  dataSharing,
  jiaochangkou,
  jiefangbei,
  liangping,
  qijiang,
  type StoryOutcome,
} from '../simulate/stories.ts';
import { trafficStory } from '../simulate/traffic-story.ts';
import { CliError } from './cli-error.ts';

const STORIES = [
  'qijiang',
  'liangping',
  'jiefangbei',
  'jiaochangkou',
  'data-sharing',
  'joint-inspection',
  'newborn',
  'business-startup',
  'credit-repair',
  'traffic',
  'life-circle',
  'parking',
  'patrol',
] as const;

/** `citybrain simulate --story …`: drives a running demo instance from outside (MQTT as devices, HTTP as people). */
export function registerSimulateCommand(program: Command, config: () => Config): void {
  program
    .command('simulate')
    .description(`replay a story against a running demo instance: ${STORIES.join(' | ')}`)
    .requiredOption('--story <story>', `one of ${STORIES.join(', ')}`)
    .option('--url <url>', 'the instance (default http://127.0.0.1:<port>)')
    .option('--mqtt <url>', 'MQTT broker devices publish to (default: asked from the instance)')
    .option(
      '--secrets <file>',
      'device secrets written by the demo (default <dataDir>/demo-device-secrets.json)',
    )
    .option('--speed <n>', 'simulated ms per real ms while the story waits', '600')
    .option(
      '--json',
      'narrative to stderr; print the outcome as one line of JSON last on stdout; exit 0 only if it holds',
    )
    .action(
      async (o: {
        story: string;
        url?: string;
        mqtt?: string;
        secrets?: string;
        speed: string;
        json?: boolean;
      }) => {
        if (!(STORIES as readonly string[]).includes(o.story)) {
          throw new CliError(`unknown --story '${o.story}' (allowed: ${STORIES.join(', ')})`);
        }
        const c = config();
        const d = remoteDriver({
          url: o.url ?? `http://127.0.0.1:${c.port}`,
          mqttUrl: o.mqtt,
          secretsFile: o.secrets ?? demoSecretsFile(c.dataDir),
          speed: Number(o.speed),
          ...(o.json ? { out: (line: string) => process.stderr.write(`${line}\n`) } : {}),
        });
        let outcome: StoryOutcome;
        try {
          outcome = await run(o.story, d);
          d.log('story complete');
        } catch (err) {
          const message = `story ${o.story} failed: ${(err as Error).message}`;
          if (!o.json) throw new CliError(message);
          outcome = { story: o.story, holds: false, failed: [message] };
        }
        if (o.json) process.stdout.write(`${JSON.stringify(outcome)}\n`);
        else d.log(outcome.holds ? 'outcome holds' : `outcome does not hold: ${outcome.failed.join('; ')}`);
        if (!outcome.holds) process.exitCode = 1;
      },
    );
}

async function run(story: string, d: ReturnType<typeof remoteDriver>): Promise<StoryOutcome> {
  if (story === 'liangping') return (await liangping(d)).outcome;
  if (story === 'qijiang') return (await qijiang(d)).outcome;
  if (story === 'jiaochangkou') return (await jiaochangkou(d)).outcome;
  if (story === 'data-sharing') return (await dataSharing(d)).outcome;
  if (story === 'joint-inspection') return (await jointInspection(d)).outcome;
  if (story === 'newborn' || story === 'business-startup' || story === 'credit-repair')
    return (await serviceStory(d, story)).outcome;
  if (story === 'traffic') return (await trafficStory(d)).outcome;
  if (story === 'life-circle') return (await lifeCircleStory(d)).outcome;
  if (story === 'parking') return (await parkingStory(d)).outcome;
  if (story === 'patrol') return (await patrolStory(d)).outcome;
  const listed = (await d.call('GET', '/api/v1/devices?type=CrowdFlowObserved&limit=500', 'operator.500103'))
    .body.items as { id: string; location: { lon: number; lat: number } }[];
  const devices = listed.map((x) => ({ id: x.id, lon: x.location.lon, lat: x.location.lat }));
  return (await jiefangbei(d, devices, true)).outcome;
}
