import { type App, createApp } from '../app.ts';
import type { Config } from '../config.ts';

/** Options of `citybrain serve` and `citybrain demo`. */
export interface ServerOptions {
  demo: boolean;
  /** Demo only: run the background device simulator at this share of the seed's load. */
  simulator?: { rate: number };
  /** Which part this process runs (default all). */
  role?: 'all' | 'api' | 'ingest' | 'rules';
  /** Stable id of an ingest or rules process. */
  ingestId?: string;
  /** Partitions of the rule subjects (ingest and rules roles). */
  partitions?: number;
  /** NATS JetStream stream prefix. */
  streamPrefix?: string;
}

/**
 * Boots the app, seeds what the mode needs, listens, prints where everything is,
 * and shuts down cleanly on SIGINT/SIGTERM.
 */
export async function runServer(config: Config, options: ServerOptions): Promise<App> {
  const app = await createApp({
    config,
    role: options.role,
    ingestId: options.ingestId,
    partitions: options.partitions,
    streamPrefix: options.streamPrefix,
    // A demo restarted after a pause does not report all its devices silent at once.
    ...(options.demo ? { sensing: { noDataGraceAtStart: true } } : {}),
  });
  const banner: string[] = [];
  try {
    const { prepareCity } = await import('../demo/prepare.ts');
    banner.push(...(await prepareCity(app, { demo: options.demo })));
  } catch (error) {
    await app.close();
    throw error;
  }
  const url = await app.listen();
  // The simulator publishes over MQTT like any device; never in `serve` (a real city's devices report themselves).
  let simulator: { stop(): Promise<void> } | undefined;
  if (options.demo) {
    if (options.simulator) {
      const { startDemoSimulator } = await import('../demo/simulator/index.ts');
      const started = await startDemoSimulator(app, options.simulator);
      simulator = started.simulator;
      banner.push(started.banner);
    } else {
      banner.push('  simulator  off (--no-simulator): demo devices report only what you publish');
    }
  }
  const lines = [
    '',
    `citybrain ${options.demo ? 'demo' : 'server'} is running${options.role && options.role !== 'all' ? ` (role ${options.role})` : ''}`,
    `  web        ${url}/`,
    `  API docs   ${url}/docs`,
    `  health     ${url}/health`,
    `  database   ${app.database.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL'}`,
    ...(app.mqtt ? [app.mqtt.banner] : []),
    ...(app.rules
      ? [
          `  rules      member ${app.rules.memberId} of ${options.partitions ?? 'the default'} partitions (owns ${app.rules.owned.join(', ') || 'none yet'})`,
        ]
      : []),
    ...banner,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    app.logger.info({ signal }, 'shutting down');
    // Whatever is stuck (an ingress reconnecting to a gone broker, a hung commit), the process is
    // gone within 10 s of the signal; app.close bounds its own waits, this is the backstop.
    setTimeout(() => {
      app.logger.error({ signal }, 'shutdown still running after 9 s; exiting');
      process.exit(1);
    }, 9000).unref();
    (simulator ? simulator.stop() : Promise.resolve())
      .then(() => app.close())
      .then(
        () => process.exit(0),
        (error) => {
          app.logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  return app;
}
