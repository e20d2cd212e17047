// Negative-list decisions by Cedar (pre-parsed, sliced by owner department) at a sustained open-loop
// rate, against the same decisions by a plain JavaScript reading of the list in the same run.
// Run: ./node_modules/.bin/node bench/policy-decision.ts [--rate 5000] [--seconds 10] [--resources 12000]
import { generateCatalogue, prng } from '../src/modules/datahub/catalogue.generate.ts';
import { TEST_DEPARTMENTS } from '../src/modules/datahub/datahub.fixtures.ts';
import { NegativeListPolicy, type PolicyRequest } from '../src/modules/datahub/negative-list.policy.ts';
import { ReferenceList } from '../src/modules/datahub/negative-list.reference.ts';
import { option, size, smokeBanner } from './smoke.ts';

const RATE = Number(option('rate') ?? 5000);
const SECONDS = Number(option('seconds') ?? size(10, 0.5));
const RESOURCES = Number(option('resources') ?? size(12_000, 2000));
smokeBanner();

const { resources, entries } = generateCatalogue({
  departments: TEST_DEPARTMENTS,
  count: RESOURCES,
  seed: 20261207,
});
const loadStart = performance.now();
const policy = new NegativeListPolicy();
policy.load(1, entries);
const loadMs = performance.now() - loadStart;
const reference = new ReferenceList(entries);

// Requests: mostly random resources, a quarter aimed at listed ones so every outcome occurs.
const random = prng(42);
const listed = entries.map((e) => e.scope.resourceId).filter((id): id is string => !!id);
const byId = new Map(resources.map((r) => [r.id, r]));
const purposes = ['law_enforcement', 'public_service', 'emergency_response', 'statistics', 'supervision'];
const requests: PolicyRequest[] = Array.from({ length: 20_000 }, () => {
  const aimed =
    random() < 0.25 ? byId.get(listed[Math.floor(random() * listed.length)] as string) : undefined;
  const resource =
    aimed ?? (resources[Math.floor(random() * resources.length)] as (typeof resources)[number]);
  return {
    resource,
    requesterDepartment: (
      TEST_DEPARTMENTS[Math.floor(random() * TEST_DEPARTMENTS.length)] as { code: string }
    ).code,
    roles: ['department_liaison'],
    purpose: purposes[Math.floor(random() * purposes.length)] as string,
    ownerApproval: random() < 0.5,
    at: new Date('2026-12-07T08:00:00Z'),
  };
});

const cedarDecide = (r: PolicyRequest) => policy.decide(r).decision;
const plainDecide = (r: PolicyRequest) => (reference.forbidding(r).length ? 'deny' : 'allow');

/** Closed loop: decisions per second as fast as one thread goes. */
function closedLoop(decide: (r: PolicyRequest) => unknown, n: number): number {
  for (let i = 0; i < Math.min(n, 500); i++) decide(requests[i] as PolicyRequest); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) decide(requests[i % requests.length] as PolicyRequest);
  return n / ((performance.now() - t0) / 1000);
}

/**
 * Open loop at `rate`/s for `seconds`: request i is due at t0 + i/rate; its latency runs from when it
 * was due to when its decision is made, so time spent queued behind earlier ones counts.
 */
async function openLoop(decide: (r: PolicyRequest) => unknown, rate: number, seconds: number) {
  const total = Math.round(rate * seconds);
  const latencies = new Float64Array(total);
  const service = new Float64Array(total);
  const t0 = performance.now();
  let i = 0;
  while (i < total) {
    const now = performance.now();
    while (i < total && t0 + (i * 1000) / rate <= now) {
      const started = performance.now();
      decide(requests[i % requests.length] as PolicyRequest);
      const done = performance.now();
      service[i] = done - started;
      latencies[i] = done - (t0 + (i * 1000) / rate);
      i++;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort();
  service.sort();
  const pct = (xs: Float64Array, p: number) => xs[Math.min(total - 1, Math.floor(p * total))] as number;
  return {
    achieved: total / elapsed,
    p50: pct(latencies, 0.5),
    p99: pct(latencies, 0.99),
    max: latencies[total - 1] as number,
    serviceP50: pct(service, 0.5),
    serviceP99: pct(service, 0.99),
  };
}

// Cedar and the plain reading agree on every request (the sample), or the comparison means nothing.
let mismatches = 0;
const outcomes = { allow: 0, deny: 0, needs_approval: 0 };
const sample = requests.slice(0, size(5000, 500));
const callsBefore = policy.wasmCalls;
for (const r of sample) {
  const d = cedarDecide(r);
  outcomes[d]++;
  if ((d === 'allow') !== (plainDecide(r) === 'allow')) mismatches++;
}

const wasmShare = (policy.wasmCalls - callsBefore) / sample.length;
const slices = new Set(entries.map((e) => e.scope.resourceId ?? e.scope.ownerDepartment ?? '*')).size;
console.log(
  `list: ${entries.length} entries in ${slices} slices (by resource, owner) (pre-parsed in ${loadMs.toFixed(0)} ms); catalogue ${resources.length} resources`,
);
console.log(
  `sample outcomes: allow ${outcomes.allow}, deny ${outcomes.deny}, needs_approval ${outcomes.needs_approval}; cedar vs plain mismatches: ${mismatches}; Cedar evaluations per decision ${wasmShare.toFixed(2)} (the rest meet no entry's scope)`,
);
const n = size(20_000, 1000);
const cedarMax = closedLoop(cedarDecide, n);
const plainMax = closedLoop(plainDecide, n * 10);
console.log(
  `closed loop: cedar ${cedarMax.toFixed(0)} decisions/s (${(1e6 / cedarMax).toFixed(1)} µs each); plain JS ${plainMax.toFixed(0)}/s (${(1e6 / plainMax).toFixed(2)} µs each)`,
);
const load = (await import('node:os')).loadavg()[0] ?? 0;
const cedar = await openLoop(cedarDecide, RATE, SECONDS);
const plain = await openLoop(plainDecide, RATE, SECONDS);
const ms = (x: number) => `${x.toFixed(3)} ms`;
console.log(
  `open loop ${RATE}/s for ${SECONDS} s, latency from due time (machine load average ${load.toFixed(1)}):`,
);
console.log(
  `  cedar     achieved ${cedar.achieved.toFixed(0)}/s  p50 ${ms(cedar.p50)}  p99 ${ms(cedar.p99)}  max ${ms(cedar.max)}; in decide() p50 ${ms(cedar.serviceP50)} p99 ${ms(cedar.serviceP99)}`,
);
console.log(
  `  plain JS  achieved ${plain.achieved.toFixed(0)}/s  p50 ${ms(plain.p50)}  p99 ${ms(plain.p99)}  max ${ms(plain.max)}; in decide() p50 ${ms(plain.serviceP50)} p99 ${ms(plain.serviceP99)}`,
);
// A baseline that decides in microseconds yet shows a p99 over 1 ms means the process was kept
// off the CPU (a shared machine): the latency target cannot be judged in this run, decide() can.
const verdict =
  cedar.p99 <= 1
    ? 'met'
    : plain.p99 > 1
      ? `not judged here: the plain baseline's own p99 is ${ms(plain.p99)} (the process waited for a CPU); in decide() p99 ${ms(cedar.serviceP99)} ${cedar.serviceP99 <= 1 ? '≤' : '>'} 1 ms`
      : 'missed';
console.log(`target p99 ≤ 1 ms at ${RATE}/s: ${verdict}`);
console.log(
  `ratio cedar / plain JS: ${(plainMax / cedarMax).toFixed(1)}× the time per decision (closed loop); p99 ${(cedar.p99 / plain.p99).toFixed(1)}× at ${RATE}/s`,
);
if (mismatches) process.exitCode = 1;
