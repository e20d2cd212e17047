import path from 'node:path';
import { z } from 'zod';

/** Log levels pino understands. */
const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

const port = z.coerce.number().int().min(0).max(65535);

/** Every setting citybrain reads, with its environment variable, default and allowed values. */
export const ConfigSchema = z.object({
  /** HTTP port (`PORT`, `--port`); 0 picks a free one. */
  port: port.default(8080),
  /** Address the HTTP server binds (`CITYBRAIN_HOST`). */
  host: z.string().min(1).default('127.0.0.1'),
  /** Embedded data directory (`CITYBRAIN_DATA_DIR`): PGlite files, uploads. */
  dataDir: z.string().min(1).default('.citybrain'),
  /** PostgreSQL URL (`CITYBRAIN_DATABASE_URL`); when unset, embedded PGlite in the data directory. */
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  /** Log level (`CITYBRAIN_LOG_LEVEL`). */
  logLevel: logLevel.default('info'),
  /** Secret that signs session tokens (`CITYBRAIN_TOKEN_SECRET`); generated and kept in the data dir when unset. */
  tokenSecret: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Session token lifetime in seconds (`CITYBRAIN_TOKEN_TTL`). */
  tokenTtlSeconds: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 24 * 3600)
    .default(12 * 3600),
  /** Password of the demo `admin` user (`CITYBRAIN_ADMIN_PASSWORD`); generated and printed once when unset. */
  adminPassword: z.string().min(8, 'must be at least 8 characters').optional(),
  /** Port of the embedded MQTT broker (`MQTT_PORT`); when taken, another is picked and reported. */
  mqttPort: port.default(1883),
  /** External MQTT broker (`CITYBRAIN_MQTT_URL`, e.g. mqtt://127.0.0.1:1883); when unset, the embedded broker. */
  mqttUrl: z
    .string()
    .regex(/^(mqtts?|wss?|tcp):\/\//, 'must start with mqtt://, mqtts://, ws://, wss:// or tcp://')
    .optional(),
  /** NATS server with JetStream (`CITYBRAIN_NATS_URL`, e.g. nats://127.0.0.1:4222); when unset, the in-process bus. */
  natsUrl: z
    .string()
    .regex(/^(nats|tls):\/\//, 'must start with nats:// or tls://')
    .optional(),
  /** Open311 API key of the demo client (`CITYBRAIN_OPEN311_KEY`); generated and printed when unset. */
  open311Key: z.string().min(16, 'must be at least 16 characters').optional(),
  /** MariaDB the demo puts departments' synthetic data in (`CITYBRAIN_DATAHUB_MARIADB_URL`); the database is created when missing. */
  datahubMariadbUrl: z
    .string()
    .regex(/^(mysql|mariadb):\/\//, 'must start with mysql:// or mariadb://')
    .default('mysql://root@127.0.0.1:3306/citybrain_demo'),
  /**
   * Demo only: share of the seed's devices (and so of its load) the background simulator makes
   * report over MQTT, 0–1 (`CITYBRAIN_SIMULATOR_RATE`, `citybrain demo --simulator-rate`); 0 = off.
   */
  simulatorRate: z.coerce.number().min(0).max(1).default(0.25),
  /**
   * Prefix of the tracking numbers citizens are given, `CQ-20261207-000123`
   * (`CITYBRAIN_TRACKING_PREFIX`): two to six capital letters, usually the city's short name.
   */
  trackingPrefix: z
    .string()
    .regex(/^[A-Z]{2,6}$/, 'must be two to six capital letters A–Z')
    .default('CQ'),
  /** OpenID Connect issuer whose JWTs are accepted (`CITYBRAIN_OIDC_ISSUER`). */
  oidcIssuer: z.url().optional(),
  /** Expected `aud` of OIDC JWTs (`CITYBRAIN_OIDC_AUDIENCE`). */
  oidcAudience: z.string().optional(),
  /** JWKS URL of the OIDC issuer (`CITYBRAIN_OIDC_JWKS_URL`); defaults to `<issuer>/.well-known/jwks.json`. */
  oidcJwksUrl: z.url().optional(),
});

/** The validated configuration object passed to every part of the application. */
export type Config = z.infer<typeof ConfigSchema>;

/** Environment variable behind each key, used to read values and to name them in errors. */
export const ENV_NAMES: Record<keyof Config, string> = {
  port: 'PORT',
  host: 'CITYBRAIN_HOST',
  dataDir: 'CITYBRAIN_DATA_DIR',
  databaseUrl: 'CITYBRAIN_DATABASE_URL',
  logLevel: 'CITYBRAIN_LOG_LEVEL',
  tokenSecret: 'CITYBRAIN_TOKEN_SECRET',
  tokenTtlSeconds: 'CITYBRAIN_TOKEN_TTL',
  adminPassword: 'CITYBRAIN_ADMIN_PASSWORD',
  mqttPort: 'MQTT_PORT',
  mqttUrl: 'CITYBRAIN_MQTT_URL',
  natsUrl: 'CITYBRAIN_NATS_URL',
  open311Key: 'CITYBRAIN_OPEN311_KEY',
  datahubMariadbUrl: 'CITYBRAIN_DATAHUB_MARIADB_URL',
  simulatorRate: 'CITYBRAIN_SIMULATOR_RATE',
  trackingPrefix: 'CITYBRAIN_TRACKING_PREFIX',
  oidcIssuer: 'CITYBRAIN_OIDC_ISSUER',
  oidcAudience: 'CITYBRAIN_OIDC_AUDIENCE',
  oidcJwksUrl: 'CITYBRAIN_OIDC_JWKS_URL',
};

/** Raised when a setting is invalid; the message names the key, its variable and what is allowed. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Builds the configuration from environment variables, overridden by command-line flags.
 * Empty environment values count as unset.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  flags: Partial<Record<keyof Config, unknown>> = {},
): Config {
  const raw: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  for (const [key, value] of Object.entries(flags)) {
    if (value !== undefined) raw[key] = value;
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      const name = ENV_NAMES[key as keyof Config] ?? key;
      return `${key} (${name}): ${issue.message}${raw[key] === undefined ? '' : ` — got ${JSON.stringify(raw[key])}`}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return { ...parsed.data, dataDir: path.resolve(parsed.data.dataDir) };
}
