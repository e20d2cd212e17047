import { Command, InvalidArgumentError, Option } from 'commander';
import { VERSION } from './app.ts';
import { CliError } from './cli/cli-error.ts';
import { registerCommands } from './cli/commands.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { DatabaseLockedError } from './platform/db/database.ts';

/** Parses a port flag, refusing anything that is not 0–65535. */
function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('must be 0–65535');
  return port;
}

const program = new Command('citybrain')
  .description('城市大脑 citybrain — open-source city operations platform')
  .version(VERSION)
  .addOption(new Option('--port <port>', 'HTTP port (env PORT, default 8080)').argParser(parsePort))
  .addOption(new Option('--host <host>', 'HTTP bind address (env CITYBRAIN_HOST)'))
  .addOption(
    new Option('--data-dir <dir>', 'embedded data directory (env CITYBRAIN_DATA_DIR, default .citybrain)'),
  )
  .addOption(
    new Option(
      '--database-url <url>',
      'PostgreSQL URL (env CITYBRAIN_DATABASE_URL); embedded PGlite when unset',
    ),
  )
  .addOption(new Option('--log-level <level>', 'log level (env CITYBRAIN_LOG_LEVEL)'))
  .showHelpAfterError();

/** The validated configuration from the environment and the global flags. */
function config(): Config {
  const o = program.opts();
  return loadConfig(process.env, {
    port: o.port,
    host: o.host,
    dataDir: o.dataDir,
    databaseUrl: o.databaseUrl,
    logLevel: o.logLevel,
  });
}

registerCommands(program, config);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError || error instanceof CliError || error instanceof DatabaseLockedError) {
    process.stderr.write(`citybrain: ${error.message}\n`);
    process.exit(2);
  }
  const appError = error as { code?: string; message?: string; details?: unknown };
  if (appError && typeof appError.code === 'string' && (error as Error).name === 'AppError') {
    process.stderr.write(`citybrain: ${appError.code}: ${appError.message}\n`);
    if (appError.details !== undefined)
      process.stderr.write(`${JSON.stringify(appError.details, null, 2)}\n`);
    process.exit(1);
  }
  throw error;
}
