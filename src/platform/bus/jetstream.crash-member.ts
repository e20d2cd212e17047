// A group member that takes messages and never acks them, run as a child process by
// jetstream.bus.test.ts and killed with SIGKILL there: a consumer process dying mid-stream.
import { createBus } from './bus.ts';
import { testSubjects } from './test-subjects.ts';
import { quietLogger } from './testing.ts';

const [url, prefix, group, ackWaitMs] = process.argv.slice(2);
const bus = await createBus({
  subjects: testSubjects,
  logger: quietLogger,
  natsUrl: url,
  streamPrefix: prefix,
});
let got = 0;
await bus.subscribe('test.tick', { group: group!, owner: 'doomed', ackWaitMs: Number(ackWaitMs) }, () => {
  got++;
  process.stdout.write(`got ${got}\n`);
  return new Promise<void>(() => {});
});
process.stdout.write('ready\n');
