import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pino from 'pino';
import { type BusOptions, createBus } from './bus.ts';
import type { Bus } from './bus.types.ts';
import { streamNames } from './jetstream.setup.ts';
import type { SubjectMap } from './subjects.ts';

/** NATS server the JetStream tests use (`CITYBRAIN_TEST_NATS_URL`); each test run makes its own streams on it. */
export const testNatsUrl = process.env.CITYBRAIN_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** A silent logger for tests. */
export const quietLogger = pino({ level: process.env.CITYBRAIN_TEST_LOG ?? 'silent' });

/** A stream prefix no other test run uses, so parallel runs never share streams or consumers. */
export function uniquePrefix(): string {
  return `cbt_${randomBytes(5).toString('hex')}`;
}

/** Opens a bus of either kind on unique streams; `cleanup` closes it and deletes its streams. */
export async function openTestBus<M extends SubjectMap>(
  kind: 'memory' | 'jetstream',
  subjects: M,
  extra: Partial<BusOptions<M>> = {},
): Promise<{ bus: Bus<M>; prefix: string; cleanup: () => Promise<void> }> {
  const prefix = extra.streamPrefix ?? uniquePrefix();
  const natsUrl = kind === 'jetstream' ? (extra.natsUrl ?? testNatsUrl) : undefined;
  // The shortest pull requests, so closing a bus at the end of a test waits at most a second.
  const options = {
    subjects,
    logger: quietLogger,
    pullExpiresMs: 1_000,
    ...extra,
    streamPrefix: prefix,
    natsUrl,
  };
  const bus = await createBus(options);
  return {
    bus,
    prefix,
    cleanup: async () => {
      await bus.close();
      if (natsUrl) await deleteStreams(natsUrl, prefix);
    },
  };
}

/** Deletes the main and dead-letter streams of a prefix (and with them their consumers). */
export async function deleteStreams(url: string, prefix: string): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    const names = streamNames(prefix);
    for (const name of [names.stream, names.deadLetterStream])
      await jsm.streams.delete(name).catch(() => false);
  } finally {
    await nc.close();
  }
}

/** Polls `condition` until it holds, failing with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A nats-server this test started, on its own port and storage directory. */
export interface OwnNatsServer {
  url: string;
  port: number;
  storeDir: string;
  /** Kills the process (SIGKILL by default: a crash, not a shutdown). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and storage. */
  restart(): Promise<void>;
  /** Kills it and removes its storage. */
  dispose(): Promise<void>;
}

/** Starts a throwaway JetStream server (binary from `CITYBRAIN_NATS_SERVER`, default /usr/sbin/nats-server). */
export async function startNatsServer(): Promise<OwnNatsServer> {
  const binary = process.env.CITYBRAIN_NATS_SERVER ?? '/usr/sbin/nats-server';
  const port = await freePort();
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-nats-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], {
      stdio: 'ignore',
    });
    await waitForPort(port);
  };
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill(signal);
    await exited;
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    kill,
    restart: start,
    dispose: async () => {
      await kill();
      fs.rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nats-server did not listen on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
