import type { Command } from 'commander';
import { openAndMigrate } from '../app.ts';
import type { Config } from '../config.ts';
import { AuditLog } from '../modules/audit/index.ts';
import { DEFAULT_PARTITIONS, MAX_PARTITIONS } from '../modules/sensing/index.ts';
import { systemClock } from '../platform/clock.ts';
import { CliError } from './cli-error.ts';
import { registerDrawCommand } from './draw.command.ts';
import { registerImportCommands } from './import.command.ts';
import { runServer } from './server.ts';
import { registerSimulateCommand } from './simulate.command.ts';
import { registerUserCommands } from './users.command.ts';

/** Registers every sub-command; `config` validates env + global flags when a command runs. */
export function registerCommands(program: Command, config: () => Config): void {
  program
    .command('demo')
    .description('run the Chongqing demo city: embedded database, demo data and users, web UI')
    .option(
      '--no-simulator',
      "do not run the background simulator that makes the demo's devices report over MQTT",
    )
    .option(
      '--simulator-rate <share>',
      "share of the seed's devices (and load) the simulator makes report, 0–1 (env CITYBRAIN_SIMULATOR_RATE, default 0.25)",
    )
    .action(async (options: { simulator: boolean; simulatorRate?: string }) => {
      const cfg = config();
      let rate = cfg.simulatorRate;
      if (options.simulatorRate !== undefined) {
        rate = Number(options.simulatorRate);
        if (options.simulatorRate.trim() === '' || !(rate >= 0 && rate <= 1)) {
          throw new CliError(`--simulator-rate must be a number from 0 to 1, not '${options.simulatorRate}'`);
        }
      }
      await runServer(cfg, { demo: true, simulator: options.simulator ? { rate } : undefined });
    });

  program
    .command('serve')
    .description('run the platform (migrates the database, creates the admin user on first start)')
    .option(
      '--role <role>',
      'which part to run: all | api | ingest | rules (see docs/sensing-pipeline.md). ingest: MQTT shared subscription, storage, hands new readings to the rules processes (needs CITYBRAIN_MQTT_URL, CITYBRAIN_NATS_URL); rules: runs the rules of the partitions it owns (needs CITYBRAIN_DATABASE_URL, CITYBRAIN_NATS_URL)',
      'all',
    )
    .option(
      '--ingest-id <id>',
      'stable id of an ingest process (its MQTT session survives restarts) or of a rules process',
    )
    .option(
      '--partitions <n>',
      `partitions of the rule subjects (devices); every ingest and rules process must use the same (1–${MAX_PARTITIONS})`,
      String(DEFAULT_PARTITIONS),
    )
    .option(
      '--stream-prefix <prefix>',
      'NATS JetStream stream prefix (several deployments on one NATS)',
      'citybrain',
    )
    .action(
      async (options: { role: string; ingestId?: string; partitions: string; streamPrefix: string }) => {
        const role = options.role;
        if (role !== 'all' && role !== 'api' && role !== 'ingest' && role !== 'rules') {
          throw new CliError(`unknown --role '${role}' (allowed: all, api, ingest, rules)`);
        }
        const partitions = Number(options.partitions);
        if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
          throw new CliError(
            `--partitions must be an integer from 1 to ${MAX_PARTITIONS}, not '${options.partitions}'`,
          );
        }
        if (!/^[a-z][a-z0-9_-]*$/.test(options.streamPrefix)) {
          throw new CliError(
            `--stream-prefix must be lowercase letters, digits, '_' or '-', not '${options.streamPrefix}'`,
          );
        }
        const cfg = config();
        if (role === 'ingest' && !cfg.mqttUrl) {
          throw new CliError(
            '--role ingest needs an external MQTT broker with shared subscriptions: set CITYBRAIN_MQTT_URL (e.g. mqtt://127.0.0.1:1883, Mosquitto); the embedded broker (Aedes) has none',
          );
        }
        if (role === 'ingest' && (!cfg.natsUrl || !cfg.databaseUrl)) {
          throw new CliError(
            `--role ingest hands new readings to the rules processes (--role rules) over NATS JetStream, and they share its PostgreSQL database: set ${[
              cfg.databaseUrl
                ? undefined
                : 'CITYBRAIN_DATABASE_URL (e.g. postgres://user@host:5432/citybrain)',
              cfg.natsUrl ? undefined : 'CITYBRAIN_NATS_URL (e.g. nats://127.0.0.1:4222)',
            ]
              .filter(Boolean)
              .join(' and ')}; for one process that does everything use --role all`,
          );
        }
        if (role === 'rules' && (!cfg.databaseUrl || !cfg.natsUrl)) {
          throw new CliError(
            `--role rules needs PostgreSQL (partition ownership uses its advisory locks) and NATS JetStream (the readings stream): set ${[
              cfg.databaseUrl
                ? undefined
                : 'CITYBRAIN_DATABASE_URL (e.g. postgres://user@host:5432/citybrain)',
              cfg.natsUrl ? undefined : 'CITYBRAIN_NATS_URL (e.g. nats://127.0.0.1:4222)',
            ]
              .filter(Boolean)
              .join(' and ')}`,
          );
        }
        if (role !== 'all' && !cfg.natsUrl) {
          process.stderr.write(
            `warning: --role ${role} without CITYBRAIN_NATS_URL: alerts stay in this process (the in-process bus); set it so they cross processes\n`,
          );
        }
        await runServer(cfg, {
          demo: false,
          role,
          ingestId: options.ingestId,
          partitions,
          streamPrefix: options.streamPrefix,
        });
      },
    );

  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .action(async () => {
      const { database, applied } = await openAndMigrate(config());
      await database.close();
      process.stdout.write(
        applied.length
          ? `applied ${applied.length} migrations:\n  ${applied.join('\n  ')}\n`
          : 'database is up to date\n',
      );
    });

  registerImportCommands(program, config);
  registerUserCommands(program, config);
  registerSimulateCommand(program, config);
  registerDrawCommand(program, config);

  const audit = program.command('audit').description('audit log tools');
  audit
    .command('verify')
    .description('check the audit hash chain; exits 1 and names the first broken link if it does not hold')
    .action(async () => {
      const { database } = await openAndMigrate(config());
      try {
        const result = await new AuditLog(systemClock).verify(database.db);
        if (result.ok) {
          process.stdout.write(`audit log intact: ${result.checked} entries verified\n`);
        } else {
          process.stdout.write(
            `audit log BROKEN at entry ${result.firstBroken?.seq}: ${result.firstBroken?.reason} (${result.checked} entries verified before it)\n`,
          );
          process.exitCode = 1;
        }
      } finally {
        await database.close();
      }
    });
}
