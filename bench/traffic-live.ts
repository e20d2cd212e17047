// Reading → traffic layer on an open cockpit (target ≤ 2 s). The real app (demo city with its road
// network, on PostgreSQL, MQTT ingest from a private Mosquitto as `serve` with an external broker
// runs it) and a client that does exactly what the cockpit's traffic layer does: it holds the live
// stream (GET /api/v1/live, SSE) open, holds the links (GET /api/v1/traffic/links, once), and on a
// TrafficFlowObserved `reading` it refetches their levels (GET /api/v1/traffic/levels) as
// web/src/api/events.ts `layerRefresher` and web/src/cockpit/layers.ts do (100 ms after the
// reading, at most once a second, never cancelling a fetch under way). A detector publishes one
// crawling speed (5 km/h: severe) over MQTT on a link without data in the current slot; the time
// until the layer's answer shows that link severe is the figure. Baseline in the same run: the same
// reading until its ingest batch is stored (committed), the floor any layer can follow.
//
// With --browser the same run also opens the cockpit in Chromium (admin, traffic layer on) and
// times each reading until the layer's legend counts the link as severe (fetch + React render).
// With --profile (and --browser) it records the page's CPU profile over the readings and prints the
// functions with the most self time (where the page spends the seconds after a fetch).
//
// Environment, with --profile: TRACE=file.json also writes a Chromium trace of the readings (what
// the renderer's main thread waits on); COUNT_GL=1 prints each canvas's WebGL draw calls, vertices,
// instances and clears (frames) over the page's life.
//
//   ./node_modules/.bin/node bench/traffic-live.ts [--n 40] [--gap 1500] [--browser [--profile]] [--smoke]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { type Browser, type CDPSession, chromium, type Page } from 'playwright-core';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { DEMO_DATA_DIR, prepareCity } from '../src/demo/prepare.ts';
import type { RawObservation } from '../src/modules/sensing/index.ts';
import { DEMO_DEVICES_CSV } from '../src/modules/sensing/sensing.data.ts';
import { DEMO_ROADS_FILE } from '../src/modules/traffic/demo-network.ts';
import { SYSTEM_PRINCIPAL } from '../src/platform/access.ts';
import { openTestDatabase } from '../src/platform/db/testing.ts';
import { registerWebRoutes } from '../src/platform/http/web.ts';
import { createLogger } from '../src/platform/logger.ts';
import { startThrowawayMosquitto, uniqueClientId } from '../src/platform/mqtt/testing.ts';
import { observationTopic } from '../src/platform/mqtt/topics.ts';
import { percentile } from './pipeline-common.ts';
import { option, SMOKE, size, smokeBanner } from './smoke.ts';

const N = Number(option('n') ?? size(40, 4));
const GAP_MS = Number(option('gap') ?? size(1500, 1200));
const TIMEOUT_MS = 10_000;
const DELAY_MS = 100;
const MIN_GAP_MS = 1000;
const BROWSER = process.argv.includes('--browser');
const PROFILE = BROWSER && process.argv.includes('--profile');
const DIST_DIR = path.resolve(import.meta.dirname, '../web/dist');
if (BROWSER && !fs.existsSync(path.join(DIST_DIR, 'index.html')))
  throw new Error('run `npm run build:web` first');

smokeBanner();
const booting = performance.now();
const mosquitto = await startThrowawayMosquitto();
const { app, dispose } = await boot(mosquitto.url, SMOKE);
const address = app.http.server.address();
const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
console.log(
  `app with the ${SMOKE ? 'small' : 'demo'} city up in ${((performance.now() - booting) / 1000).toFixed(1)} s`,
);

type Link = { id: string; detectors: string[]; level: string | null };
const abort = new AbortController();
try {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'bench-password' }),
  });
  const { token } = (await login.json()) as { token: string };
  const auth = { authorization: `Bearer ${token}` };

  // The layer's fetches: the whole city for admin, as the cockpit at the user's own node asks —
  // the links once, then their levels on each refresh.
  const fetchMs: number[] = [];
  let bytes = 0;
  let linkBytes = 0;
  const fetchJson = async <T>(url: string): Promise<T> => {
    const t0 = performance.now();
    const res = await fetch(`${baseUrl}${url}`, { headers: auth });
    const text = await res.text();
    fetchMs.push(performance.now() - t0);
    bytes = text.length;
    return JSON.parse(text) as T;
  };
  const first = (await fetchJson<{ items: Link[] }>('/api/v1/traffic/links')).items;
  linkBytes = bytes;
  fetchMs.length = 0;
  const candidates = first.filter((l) => l.detectors.length > 0 && l.level === null);
  if (candidates.length < N) throw new Error(`only ${candidates.length} links with detectors and no data`);
  // Spread over the city: every k-th link.
  const step = Math.floor(candidates.length / N);
  const probes = Array.from({ length: N }, (_, i) => candidates[i * step]!);

  // Sent, stored (baseline), on the stream, shown in the layer — per probe, by detector.
  const sentAt = new Map<string, number>();
  const storedMs: number[] = [];
  const streamMs: number[] = [];
  const shownMs: number[] = [];
  const waiting = new Map<string, { linkId: string; sent: number }>();
  const original = app.live.readings.bind(app.live);
  app.live.readings = (batch: readonly RawObservation[]) => {
    const now = performance.now();
    for (const raw of batch) {
      const t = sentAt.get(raw.deviceId);
      if (t !== undefined) storedMs.push(now - t);
    }
    return original(batch);
  };

  // The cockpit's refresher: 100 ms after a reading, at most once per second, after a fetch under way.
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> | undefined;
  let last = 0;
  const refetch = async () => {
    const levels = await fetchJson<{ ids: string[]; levels: (string | null)[] }>('/api/v1/traffic/levels');
    const now = performance.now();
    const byId = new Map(levels.ids.map((id, i) => [id, levels.levels[i]]));
    for (const [device, w] of waiting) {
      // The probes are links without data this slot: severe now is the probe's reading.
      if (byId.get(w.linkId) === 'severe') {
        shownMs.push(now - w.sent);
        waiting.delete(device);
      }
    }
  };
  const fire = () => {
    timer = undefined;
    if (inFlight) {
      timer = setTimeout(fire, 100);
      return;
    }
    last = performance.now();
    inFlight = refetch().finally(() => {
      inFlight = undefined;
    });
  };
  const schedule = () => {
    timer ??= setTimeout(fire, Math.max(DELAY_MS, last + MIN_GAP_MS - performance.now()));
  };

  // The live stream, parsed as the cockpit parses it.
  let ready!: () => void;
  const connected = new Promise<void>((r) => {
    ready = r;
  });
  const stream = (async () => {
    const res = await fetch(`${baseUrl}/api/v1/live`, {
      headers: { ...auth, accept: 'text/event-stream' },
      signal: abort.signal,
    });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let cut = buffer.indexOf('\n\n');
      while (cut >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        cut = buffer.indexOf('\n\n');
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event === 'ready') ready();
        if (event !== 'reading' || !data) continue;
        const r = JSON.parse(data) as { deviceId: string; type: string };
        if (r.type !== 'TrafficFlowObserved') continue;
        const t = sentAt.get(r.deviceId);
        if (t !== undefined) streamMs.push(performance.now() - t);
        schedule();
      }
    }
  })().catch(() => undefined);
  await connected;

  // The cockpit in Chromium: the legend's severe count rises by one per probe once the layer has the reading.
  const cockpit = BROWSER ? await openCockpit(baseUrl) : undefined;
  let metricsAtStart = new Map<string, number>();
  const profiler = PROFILE && cockpit ? await cockpit.page.context().newCDPSession(cockpit.page) : undefined;
  if (profiler) {
    // How busy the page is with nothing arriving (5 s), by kind of work, then over the readings.
    await profiler.send('Performance.enable');
    const before = await pageMetrics(profiler);
    await new Promise((r) => setTimeout(r, 5000));
    printMetrics('page idle 5 s', before, await pageMetrics(profiler));
    metricsAtStart = await pageMetrics(profiler);
    if (process.env.TRACE)
      await cockpit!.browser.startTracing(cockpit!.page, {
        path: process.env.TRACE,
        categories: [
          'devtools.timeline',
          'disabled-by-default-devtools.timeline',
          'gpu',
          'cc',
          'viz',
          'blink',
          'v8',
          'toplevel',
        ],
      });
    await profiler.send('Profiler.enable');
    await profiler.send('Profiler.setSamplingInterval', { interval: 500 });
    await profiler.send('Profiler.start');
  }
  let severe = cockpit ? await cockpit.severe() : 0;
  const browserMs: number[] = [];
  const browserFetchMs: number[] = [];
  const fetchedAt: number[] = [];
  let browserMissed = 0;
  cockpit?.page.on('requestfinished', (r) => {
    if (r.url().includes('/api/v1/traffic/levels')) fetchedAt.push(performance.now());
  });

  const device = await mqtt.connectAsync(mosquitto.url, { clientId: uniqueClientId('detector') });
  let missed = 0;
  for (const link of probes) {
    const deviceId = link.detectors[0]!;
    const now = Date.now();
    const sent = performance.now();
    sentAt.set(deviceId, sent);
    waiting.set(deviceId, { linkId: link.id, sent });
    await device.publishAsync(
      observationTopic(deviceId),
      JSON.stringify({ observedAt: new Date(now).toISOString(), averageVehicleSpeed: 5, intensity: 10 }),
      { qos: 1 },
    );
    const inBrowser = cockpit?.page
      .waitForFunction(
        `Number(document.querySelector('[data-testid="traffic-count-severe"]')?.getAttribute('data-count')) >= ${severe + 1}`,
        undefined,
        { polling: 10, timeout: TIMEOUT_MS },
      )
      .then(
        () => browserMs.push(performance.now() - sent),
        () => browserMissed++,
      );
    const end = sent + TIMEOUT_MS;
    while (waiting.has(deviceId) && performance.now() < end) await new Promise((r) => setTimeout(r, 20));
    if (waiting.delete(deviceId)) missed++;
    await inBrowser;
    // The cockpit's first layer fetch that finished after the reading was published.
    const fetched = fetchedAt.find((t) => t > sent);
    if (cockpit && fetched !== undefined) browserFetchMs.push(fetched - sent);
    if (cockpit) severe = await cockpit.severe();
    await new Promise((r) => setTimeout(r, Math.max(0, GAP_MS - (performance.now() - sent))));
  }
  await device.endAsync();
  clearTimeout(timer);
  await inFlight;
  abort.abort();
  await stream;

  const line = (name: string, xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return `${name.padEnd(34)} n=${String(s.length).padStart(3)}  p50 ${percentile(s, 50).toFixed(0).padStart(5)} ms  p95 ${percentile(s, 95).toFixed(0).padStart(5)} ms  max ${(s.at(-1) ?? Number.NaN).toFixed(0).padStart(5)} ms`;
  };
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  console.log(
    `traffic live: ${N} readings (one per link, ${GAP_MS} ms apart) over MQTT (private Mosquitto), PostgreSQL, ` +
      `cockpit client as admin (whole city: ${first.length} links, ${(linkBytes / 1024).toFixed(0)} KiB once, ${(bytes / 1024).toFixed(0)} KiB per levels fetch); ` +
      `${missed} not shown within ${TIMEOUT_MS / 1000} s`,
  );
  console.log(line('reading → stored (baseline)', storedMs));
  console.log(line('reading → on the live stream', streamMs));
  console.log(line('levels fetch (GET /traffic/levels)', fetchMs));
  console.log(line('reading → traffic layer shows it', shownMs));
  if (process.env.COUNT_GL && cockpit)
    console.log('GL', JSON.stringify(await cockpit.page.evaluate('window.glStats')));
  if (profiler) {
    printMetrics(`page over the ${N} readings`, metricsAtStart, await pageMetrics(profiler));
    printProfile((await profiler.send('Profiler.stop')).profile);
    if (process.env.TRACE) await cockpit!.browser.stopTracing();
  }
  if (cockpit) {
    console.log(line('reading → the cockpit fetched', browserFetchMs));
    console.log(line('reading → cockpit legend (Chromium)', browserMs), `(${browserMissed} not within 10 s)`);
    await cockpit.browser.close();
  }
  const p50 = (xs: number[]) => percentile(sorted(xs), 50);
  const p95 = (xs: number[]) => percentile(sorted(xs), 95);
  console.log(
    `ratio layer / stored: p50 ${(p50(shownMs) / p50(storedMs)).toFixed(1)}×, p95 ${(p95(shownMs) / p95(storedMs)).toFixed(1)}×; ` +
      `target p95 ≤ 2,000 ms: ${p95(shownMs) <= 2000 && missed === 0 ? 'met' : 'MISSED'}`,
  );
  if (cockpit)
    console.log(
      `ratio cockpit legend / stored: p50 ${(p50(browserMs) / p50(storedMs)).toFixed(1)}×; ` +
        `target p95 ≤ 2,000 ms in Chromium: ${p95(browserMs) <= 2000 && browserMissed === 0 ? 'met' : 'MISSED'}`,
    );
} finally {
  abort.abort();
  await dispose();
  await mosquitto.dispose();
}
process.exit(0);

/**
 * The app against the broker: the demo city (as `citybrain demo` prepares it), or under `--smoke`
 * a small city (the demo's jurisdictions, road network and 400 of its traffic detectors; no
 * organisation, parking or other devices), up in seconds. With `--browser` it serves web/dist.
 */
async function boot(mqttUrl: string, small: boolean) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-bench-'));
  const config = loadConfig(
    {},
    {
      dataDir,
      port: 0,
      mqttUrl,
      adminPassword: 'bench-password',
      tokenSecret: 'b'.repeat(40),
      logLevel: 'warn',
    },
  );
  const app = await createApp({
    config,
    logger: createLogger('warn'),
    database: await openTestDatabase('postgres'),
  });
  if (small) await smallCity(app);
  else await prepareCity(app, { demo: true });
  if (BROWSER && !app.http.hasRoute({ method: 'GET', url: '/*' }))
    await registerWebRoutes(app.http, { distDir: DIST_DIR });
  await app.listen();
  return {
    app,
    async dispose() {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function smallCity(app: Awaited<ReturnType<typeof createApp>>): Promise<void> {
  const { jurisdictions, identity, sensing, traffic } = app.services;
  await jurisdictions.importFile(SYSTEM_PRINCIPAL, path.join(DEMO_DATA_DIR, 'jurisdictions.geojson'), {
    level: 'auto',
    parentProperty: 'parent',
    nameEnProperty: 'name_en',
  });
  const city = (await jurisdictions.list({ level: 'city' }))[0]!;
  await identity.ensureUser({
    username: 'admin',
    displayName: 'admin',
    password: 'bench-password',
    roles: ['admin'],
    jurisdictionCode: city.code,
    departmentCode: null,
  });
  const [header, ...rows] = fs.readFileSync(DEMO_DEVICES_CSV, 'utf8').trim().split('\n');
  const detectors = rows.filter((r) => r.startsWith('tf-')).filter((_, i) => i % 15 === 0);
  await sensing.devices.import(SYSTEM_PRINCIPAL, 'csv', [header, ...detectors].join('\n'));
  await traffic.importNetwork(SYSTEM_PRINCIPAL, JSON.parse(fs.readFileSync(DEMO_ROADS_FILE, 'utf8')));
}

/**
 * `--browser`: the cockpit in Chromium as admin with the traffic layer on; resolves with the
 * severe count its legend shows, and a function that waits until the legend shows at least n.
 */
async function openCockpit(
  baseUrl: string,
): Promise<{ browser: Browser; page: Page; severe: () => Promise<number> }> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  // COUNT_GL: counts each canvas's draw calls, vertices, instances and clears (page script, plain JS).
  if (process.env.COUNT_GL)
    await page.addInitScript(`
      window.glStats = {};
      const P = WebGL2RenderingContext.prototype;
      const stats = (gl) => (window.glStats[gl.canvas.className || gl.canvas.id || 'canvas'] ??= { calls: 0, verts: 0, inst: 0, frames: 0 });
      for (const name of ['drawArrays', 'drawElements', 'drawArraysInstanced', 'drawElementsInstanced']) {
        const orig = P[name];
        P[name] = function (...a) {
          const s = stats(this);
          s.calls++;
          s.verts += name.startsWith('drawArrays') ? a[2] : a[1];
          s.inst += name.endsWith('Instanced') ? a[name === 'drawArraysInstanced' ? 3 : 4] : 1;
          return orig.apply(this, a);
        };
      }
      const clear = P.clear;
      P.clear = function (...a) {
        stats(this).frames++;
        return clear.apply(this, a);
      };
    `);
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('用户名').fill('admin');
  await page.getByLabel('密码').fill('bench-password');
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('checkbox', { name: /道路交通/ }).check();
  const count = page.getByTestId('traffic-count-severe');
  await count.waitFor({ timeout: 60_000 });
  return { browser, page, severe: async () => Number(await count.getAttribute('data-count')) };
}

/** The page's functions by self time (CPU profile of the readings), the 25 largest, and the idle share. */
function printProfile(profile: {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples?: number[];
  timeDeltas?: number[];
}): void {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const f = byNode.get(samples[i]!)?.callFrame;
    if (!f) continue;
    const ms = (deltas[i] ?? 0) / 1000;
    total += ms;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').at(-1) ?? ''}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + ms);
  }
  const idle = [...self].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0);
  console.log(
    `page CPU profile: ${(total / 1000).toFixed(1)} s sampled, ${((100 * (total - idle)) / total).toFixed(0)} % busy; self time:`,
  );
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25))
    console.log(`  ${v.toFixed(0).padStart(7)} ms  ${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`);
}

/** The page's cumulative metrics (CDP Performance.getMetrics: durations in seconds). */
async function pageMetrics(cdp: CDPSession): Promise<Map<string, number>> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return new Map(metrics.map((m) => [m.name, m.value]));
}

/** Busy time between two samples by kind (task, script, layout, style), as a share of the wall time. */
function printMetrics(what: string, a: Map<string, number>, b: Map<string, number>): void {
  const d = (k: string) => (b.get(k) ?? 0) - (a.get(k) ?? 0);
  const wall = d('Timestamp');
  const pct = (k: string) => `${k.replace('Duration', '')} ${((100 * d(k)) / wall).toFixed(0)} %`;
  console.log(
    `${what}: ${wall.toFixed(1)} s, busy: ${['TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration'].map(pct).join(', ')}; ` +
      `${d('LayoutCount')} layouts, ${d('RecalcStyleCount')} style recalcs`,
  );
}
