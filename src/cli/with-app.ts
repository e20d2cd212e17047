import { type App, createApp } from '../app.ts';
import type { Config } from '../config.ts';
import { createLogger } from '../platform/logger.ts';

/** Runs a CLI action against a fully wired app that does not listen, then closes it. */
export async function withApp<T>(config: Config, action: (app: App) => Promise<T>): Promise<T> {
  const app = await createApp({
    config,
    logger: createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel),
  });
  try {
    return await action(app);
  } finally {
    await app.close();
  }
}
