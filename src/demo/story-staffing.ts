// Demo seeding, not scenario logic: it lives beside prepare.ts (which calls it) so the scenarios
// module never imports the composition root or the demo seeder; prepare.ts hands it the password.
import type { App } from '../app.ts';
import { type Role, SYSTEM_PRINCIPAL } from '../platform/access.ts';
import { AppError } from '../platform/errors.ts';

/** Where the stories happen: district, a point (the street/town is located from it), the department types used. */
export const STORY_PLACES = [
  {
    key: 'liangping',
    district: '500155',
    point: [107.8, 30.6],
    types: ['ecology_environment', 'water_resources', 'emergency_management', 'government'],
  },
  {
    key: 'qijiang',
    district: '500110',
    point: [106.65, 29.03],
    types: ['ecology_environment', 'water_resources', 'government'],
  },
  {
    key: 'jiefangbei',
    district: '500103',
    point: [106.5771, 29.5573],
    types: [
      'public_security',
      'transport',
      'commerce',
      'government',
      'urban_management',
      'ecology_environment',
    ],
  },
] as const;

/** The user a department's officer logs in as: `officer.<node>.<type>` (demo only). */
export function officerFor(departmentCode: string): string {
  return `officer.${departmentCode.replace(':', '.')}`;
}

/** The district operator of a story's district (demo only). */
export function operatorFor(district: string): string {
  return `operator.${district}`;
}

/**
 * Demo staffing for the stories (call from `prepareCity` in demo mode, before the event centre
 * loads its teams, or reload them after): metro and mall liaison teams for the crowd plan (the
 * demo city has none), every story team on duty, a district operator per story district and a
 * field officer per department the stories dispatch to, all with the demo `password`. Idempotent.
 */
export async function ensureScenarioDemo(
  app: Pick<App, 'services' | 'logger'>,
  password: string,
): Promise<string[]> {
  const { organisation, identity, jurisdictions } = app.services;
  const users: string[] = [];
  const extra = [
    {
      code: 'demo-500103-metro',
      name: '渝中区轨道交通站务联络组',
      kind: 'transport_enforcement',
      departmentCode: '500103:transport',
      base: { lon: 106.5745, lat: 29.5525 },
    },
    {
      code: 'demo-500103-malls',
      name: '渝中区商务委商场联络组',
      kind: 'market_inspection',
      departmentCode: '500103:commerce',
      base: { lon: 106.5775, lat: 29.5575 },
    },
  ] as const;
  for (const t of extra) {
    await organisation.teams
      .create(SYSTEM_PRINCIPAL, {
        ...t,
        jurisdictionCode: '500103',
        skills: ['crowd_control'],
        onDuty: true,
        capacity: 4,
      })
      .catch((err) => {
        if (!(err instanceof AppError && err.code === 'conflict')) throw err;
      });
  }
  for (const place of STORY_PLACES) {
    const located = await jurisdictions.locate(place.point[0], place.point[1]);
    const street = located?.chain.at(-1)?.code;
    const codes = new Set<string>(place.types.map((t) => `${place.district}:${t}`));
    if (street)
      for (const t of ['government', 'urban_management', 'public_security']) codes.add(`${street}:${t}`);
    for (let offset = 0; ; offset += 500) {
      const page = await organisation.teams.list(SYSTEM_PRINCIPAL, {
        jurisdiction: place.district,
        limit: 500,
        offset,
      } as never);
      for (const team of page.items) {
        if (!team.onDuty && place.types.some((t) => team.departmentCode.endsWith(`:${t}`))) {
          await organisation.teams.update(SYSTEM_PRINCIPAL, team.id, { onDuty: true });
        }
      }
      if (page.items.length < 500) break;
    }
    const ensure = async (
      username: string,
      roles: Role[],
      departmentCode: string | null,
      jurisdictionCode: string,
      displayName: string,
    ) => {
      const exists = await organisation.structure.getDepartment(departmentCode ?? '').then(
        () => true,
        () => departmentCode === null,
      );
      if (!exists) return;
      await identity.ensureUser({
        username,
        displayName,
        password,
        roles,
        jurisdictionCode,
        departmentCode,
      });
      users.push(username);
    };
    await ensure(
      operatorFor(place.district),
      ['district_operator'],
      null,
      place.district,
      `${place.district} 城市运行管理中心 值班员`,
    );
    for (const code of codes) {
      const [node] = code.split(':') as [string];
      await ensure(officerFor(code), ['field_officer'], code, node, `${code} 外勤`);
    }
  }
  app.logger.info({ users: users.length }, 'scenario demo staffing ready');
  return users;
}
