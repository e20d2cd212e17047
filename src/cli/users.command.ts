import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { UserQuerySchema } from '../modules/identity/index.ts';
import { type Role, SYSTEM_PRINCIPAL } from '../platform/access.ts';
import { withApp } from './with-app.ts';

/** `citybrain users list|add|passwd`: user administration from the shell, audited as the platform. */
export function registerUserCommands(program: Command, config: () => Config): void {
  const users = program.command('users').description('user accounts');
  users
    .command('list')
    .description('list users (tab-separated)')
    .option('--jurisdiction <code>', 'only users of this jurisdiction node')
    .option('--role <role>', 'only users holding this role')
    .action(async (o: { jurisdiction?: string; role?: string }) => {
      await withApp(config(), async (app) => {
        const query = UserQuerySchema.parse({ jurisdictionCode: o.jurisdiction, role: o.role, limit: 1000 });
        for (const u of await app.services.identity.users.list(SYSTEM_PRINCIPAL, query)) {
          process.stdout.write(
            `${u.username}\t${u.displayName}\t${u.roles.join(',')}\t${u.jurisdictionPath}\t${u.active ? 'active' : 'inactive'}\n`,
          );
        }
      });
    });
  users
    .command('add <username>')
    .description('create a user; prints a generated password unless --password is given')
    .requiredOption('--jurisdiction <code>', 'jurisdiction node the user belongs to')
    .option('--roles <roles>', 'comma-separated roles', '')
    .option('--name <displayName>', 'display name')
    .option('--department <code>', 'department code')
    .option('--password <password>', 'initial password')
    .action(async (username: string, o: Record<string, string | undefined>) => {
      await withApp(config(), async (app) => {
        const password = o.password ?? randomBytes(12).toString('base64url');
        const user = await app.services.identity.createUser(SYSTEM_PRINCIPAL, {
          username,
          displayName: o.name ?? username,
          password,
          roles: (o.roles ?? '').split(',').filter(Boolean) as Role[],
          jurisdictionCode: o.jurisdiction as string,
          departmentCode: o.department ?? null,
        });
        process.stdout.write(`created ${user.username} (${user.id}) at ${user.jurisdictionPath}\n`);
        if (!o.password) process.stdout.write(`password: ${password}\n`);
      });
    });
  users
    .command('passwd <username>')
    .description(
      "set a user's password (generated and printed unless --password is given); ends their sessions",
    )
    .option('--password <password>', 'the new password')
    .action(async (username: string, o: { password?: string }) => {
      await withApp(config(), async (app) => {
        const password = o.password ?? randomBytes(12).toString('base64url');
        await app.services.identity.setPassword(username, password);
        process.stdout.write(
          o.password ? `password of ${username} changed\n` : `new password of ${username}: ${password}\n`,
        );
      });
    });
}
