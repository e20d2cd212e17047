import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { Config } from './config.ts';
import { AuditLog, auditMigrations, registerAuditRoutes } from './modules/audit/index.ts';
import { type Clock, systemClock } from './platform/clock.ts';
import { type Database, openDatabase } from './platform/db/database.ts';
import { type Migrations, migrateToLatest } from './platform/db/migrate.ts';
import { registerHealthRoute } from './platform/http/health.ts';
import { type Api, createHttpServer } from './platform/http/server.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import { persistentSecret } from './platform/secrets.ts';

/** The package version, shown in /health and the OpenAPI document. */
export const VERSION = '0.1.0';

/** Every module's migrations, run at start and by `citybrain migrate`. */
export const ALL_MIGRATIONS: Migrations[] = [auditMigrations];

/** What the composition root needs from its caller. */
export interface AppOptions {
  config: Config;
  clock?: Clock;
  logger?: Logger;
}

/** The wired application: its database, HTTP server and services. */
export interface App {
  readonly config: Config;
  readonly database: Database;
  readonly http: Api;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly services: Services;
  /** Starts listening; resolves with the base URL. */
  listen(): Promise<string>;
  /** Stops the server and closes the database. */
  close(): Promise<void>;
}

/** The module services, for the CLI, the demo seeder and end-to-end tests. */
export interface Services {
  audit: AuditLog;
}

/** Opens the database and runs migrations (used by `citybrain migrate` and at start). */
export async function openAndMigrate(config: Config): Promise<{ database: Database; applied: string[] }> {
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    const applied = await migrateToLatest(database.db, ALL_MIGRATIONS);
    return { database, applied };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/**
 * The one composition root: opens storage, builds every module's service with its
 * dependencies, registers routes. No module reads the environment or builds its own deps.
 */
export async function createApp(options: AppOptions): Promise<App> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.logLevel);
  const { database, applied } = await openAndMigrate(config);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  const db = database.db;
  const tokenSecret = config.tokenSecret ?? persistentSecret(config.dataDir, 'token-secret');
  void tokenSecret;

  const audit = new AuditLog(clock);
  const services: Services = { audit };

  const http = await createHttpServer({ logger, version: VERSION });
  registerHealthRoute(http, { database, version: VERSION });
  registerAuditRoutes(http, { db, audit });
  await http.register(fastifyStatic, {
    root: path.resolve(import.meta.dirname, '../web/public'),
    wildcard: false,
  });

  return {
    config,
    database,
    http,
    logger,
    clock,
    services,
    async listen() {
      return http.listen({ port: config.port, host: config.host });
    },
    async close() {
      await http.close();
      await database.close();
    },
  };
}
