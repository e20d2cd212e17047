import fs from 'node:fs';
import type { Command } from 'commander';
import type { Config } from '../config.ts';
import type { ImportOptionsInput } from '../modules/jurisdictions/index.ts';
import { SYSTEM_PRINCIPAL } from '../platform/access.ts';
import { withApp } from './with-app.ts';

/** `citybrain import jurisdictions FILE …`: all-or-nothing import of boundaries from GeoJSON. */
export function registerImportCommands(program: Command, config: () => Config): void {
  const imports = program.command('import').description('import reference data');
  imports
    .command('jurisdictions <file>')
    .description(
      'import a GeoJSON FeatureCollection of boundaries, all or nothing; re-importing a code updates it',
    )
    .requiredOption(
      '--level <level>',
      "city | district | street | grid, or auto (each feature's 'level' property)",
    )
    .option('--code-property <name>', 'feature property holding the code', 'code')
    .option(
      '--parent-property <name>',
      "property holding the parent's code (default: the longest code prefix one level up)",
    )
    .option('--name-property <name>', 'property holding the Chinese name', 'name')
    .option('--name-en-property <name>', 'property holding the English name')
    .option(
      '--approximate',
      "mark shapes approximate unless a feature says otherwise in its 'approximate' property",
    )
    .action(async (file: string, o: Record<string, string | boolean | undefined>) => {
      await withApp(config(), async (app) => {
        const result = await app.services.jurisdictions.importFile(SYSTEM_PRINCIPAL, file, {
          level: o.level as ImportOptionsInput['level'],
          codeProperty: o.codeProperty as string,
          parentProperty: o.parentProperty as string | undefined,
          nameProperty: o.nameProperty as string,
          nameEnProperty: o.nameEnProperty as string | undefined,
          approximate: o.approximate === true ? true : undefined,
        });
        const levels = Object.entries(result.byLevel).map(([level, n]) => `${n} ${level}`);
        process.stdout.write(
          `imported ${result.count} jurisdictions (${levels.join(', ')}): ${result.created} new, ${result.updated} updated\n`,
        );
      });
    });
  imports
    .command('roads <file>')
    .description(
      "import a road network: a GeoJSON FeatureCollection of LineStrings with a 'class' property (expressway | arterial | secondary); replaces the current one, all or nothing, and maps the traffic detectors to it",
    )
    .action(async (file: string) => {
      await withApp(config(), async (app) => {
        const r = await app.services.traffic.importNetwork(
          SYSTEM_PRINCIPAL,
          JSON.parse(fs.readFileSync(file, 'utf8')),
        );
        const classes = Object.entries(r.byClass).map(([c, n]) => `${n} ${c}`);
        process.stdout.write(
          `imported ${r.links} road links (${classes.join(', ')}); ${r.detectors} detectors on links, ${r.unmapped} on none\n`,
        );
      });
    });
}
