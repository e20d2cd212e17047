import fs from 'node:fs';
import mqtt from 'mqtt';
import { DEMO_PASSWORD } from '../demo/prepare.ts';
import { observationTopic } from '../platform/mqtt/topics.ts';
import type { Driver, Json } from './driver.ts';

/** Options of a driver against a running instance. */
export interface RemoteOptions {
  url: string;
  mqttUrl?: string;
  secretsFile: string;
  /** Simulated ms per real ms when the story waits (default 600: a simulated minute is 100 ms). */
  speed?: number;
  out?: (line: string) => void;
}

/** The demo's device secrets (written by `citybrain demo` into its data directory), by device id. */
function readSecrets(file: string): Map<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new Error(
      `no device secrets at ${file}: the story publishes as demo devices and needs the file the demo wrote ` +
        'into its data directory — pass --secrets <dataDir>/demo-device-secrets.json (or --data-dir) of the running demo',
    );
  }
  try {
    return new Map(
      (JSON.parse(text) as { deviceId: string; secret: string }[]).map((c) => [c.deviceId, c.secret]),
    );
  } catch {
    throw new Error(`${file} is not the demo's device secrets file (a JSON list of { deviceId, secret })`);
  }
}

/** Drives a running instance from outside: HTTP as people, MQTT as devices, real time compressed. */
export function remoteDriver(options: RemoteOptions): Driver & { mqttUrl(): Promise<string> } {
  const base = options.url.replace(/\/$/, '');
  const tokens = new Map<string, string | null>();
  const started = Date.now();
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  let secrets: Map<string, string> | undefined;
  let mqttUrl = options.mqttUrl;

  const request = async (
    method: string,
    url: string,
    token: string | null,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const binary = body instanceof Uint8Array;
    const res = await fetch(`${base}${url}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined && !binary ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : binary ? (body as Uint8Array) : JSON.stringify(body),
    });
    const type = res.headers.get('content-type') ?? '';
    return {
      status: res.status,
      body: (type.includes('json') ? await res.json() : await res.text()) as Json,
    };
  };
  const login = async (user: string) => {
    if (!tokens.has(user)) {
      const r = await request('POST', '/api/v1/auth/login', null, {
        username: user,
        password: DEMO_PASSWORD,
      });
      tokens.set(user, r.status === 200 ? r.body.token : null);
    }
    return tokens.get(user) ?? null;
  };
  const driver = {
    async call(
      method: 'GET' | 'POST',
      url: string,
      user?: string,
      body?: unknown,
      headers?: Record<string, string>,
    ) {
      const token = user ? await login(user) : null;
      if (user && !token)
        throw new Error(`cannot log in as ${user} with the demo password (is the instance in demo mode?)`);
      return request(method, url, token, body, headers);
    },
    canLogin: async (user: string) => (await login(user)) !== null,
    async mqttUrl() {
      if (!mqttUrl) {
        const info = await driver.call('GET', '/api/v1/scenarios/info', 'operator.500103').catch(() => null);
        mqttUrl =
          info?.status === 200 && info.body.mqttUrl ? String(info.body.mqttUrl) : 'mqtt://127.0.0.1:1883';
      }
      return mqttUrl;
    },
    async publish(deviceId: string, payloads: Record<string, unknown>[]) {
      secrets ??= readSecrets(options.secretsFile);
      const secret = secrets.get(deviceId);
      if (!secret) throw new Error(`no secret for device ${deviceId} in ${options.secretsFile}`);
      const client = await mqtt.connectAsync(await driver.mqttUrl(), {
        clientId: deviceId,
        username: deviceId,
        password: secret,
        reconnectPeriod: 0,
        connectTimeout: 5000,
      });
      try {
        for (const p of payloads)
          await client.publishAsync(observationTopic(deviceId), JSON.stringify(p), { qos: 1 });
      } finally {
        await client.endAsync();
      }
    },
    now: () => Date.now(),
    async advance(ms: number) {
      await new Promise((r) => setTimeout(r, Math.min(2000, ms / (options.speed ?? 600))));
    },
    async until<T>(
      what: string,
      probe: () => Promise<T | undefined | null | false>,
      timeoutMs = 60_000,
    ): Promise<T> {
      const end = Date.now() + timeoutMs;
      let dots = 0;
      while (Date.now() < end) {
        const v = await probe();
        if (v) return v;
        if (++dots % 10 === 0) driver.log(`  … waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      throw new Error(`${what}: not reached within ${timeoutMs / 1000} s`);
    },
    log(line: string) {
      out(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`);
    },
  };
  return driver;
}
