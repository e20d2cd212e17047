import type { Command } from 'commander';
import { openAndMigrate } from '../app.ts';
import type { Config } from '../config.ts';
import { AuditLog } from '../modules/audit/index.ts';
import { systemClock } from '../platform/clock.ts';
import { CliError } from './cli-error.ts';
import { registerImportCommands } from './import.command.ts';
import { runServer } from './server.ts';
import { registerSimulateCommand } from './simulate.command.ts';
import { registerUserCommands } from './users.command.ts';

/** Registers every sub-command; `config` validates env + global flags when a command runs. */
export function registerCommands(program: Command, config: () => Config): void {
  program
    .command('demo')
    .description('run the Chongqing demo city: embedded database, demo data and users, web UI')
    .action(async () => {
      await runServer(config(), { demo: true });
    });

  program
    .command('serve')
    .description('run the platform (migrates the database, creates the admin user on first start)')
    .option('--role <role>', 'which part to run: all | api | ingest (see docs/sensing-pipeline.md)', 'all')
    .option('--ingest-id <id>', 'stable id of an ingest process (its MQTT session survives restarts)')
    .action(async (options: { role: string; ingestId?: string }) => {
      const role = options.role;
      if (role !== 'all' && role !== 'api' && role !== 'ingest') {
        throw new CliError(`unknown --role '${role}' (allowed: all, api, ingest)`);
      }
      const cfg = config();
      if (role === 'ingest' && !cfg.mqttUrl) {
        throw new CliError(
          '--role ingest needs an external MQTT broker with shared subscriptions: set CITYBRAIN_MQTT_URL (e.g. mqtt://127.0.0.1:1883, Mosquitto); the embedded broker (Aedes) has none',
        );
      }
      if (role !== 'all' && !cfg.natsUrl) {
        process.stderr.write(
          `warning: --role ${role} without CITYBRAIN_NATS_URL: alerts stay in this process (the in-process bus); set it so they cross processes\n`,
        );
      }
      await runServer(cfg, { demo: false, role, ingestId: options.ingestId });
    });

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
