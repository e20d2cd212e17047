// Demo seeding of joint enforcement (issue 15): the synthetic register of 20,000 enterprises over the
// demo city's streets, with the Liangping food plant of the stories; the districts' inspectors; the
// joint-inspection story's users; SYNTHETIC complaints about repeated inspections — last year's from
// this year's joint-draw plan left unmerged and shifted back a year, this year's from the same plan
// merged into joint visits (complaints.generate.ts). Only prepare.ts (and the story's test) call it.
import type { App } from '../app.ts';
import { type GeneratedEnterprise, makeUscc, type StreetRef } from '../modules/enforcement/index.ts';
import { type Role, SYSTEM_PRINCIPAL } from '../platform/access.ts';

/** Enterprises of the demo register. */
export const DEMO_ENTERPRISES = 20_000;

/** Where the joint-inspection story happens, and who acts in it (password: the demo password). */
export const JOINT_STORY = {
  district: '500155',
  /** The Liangping food plant of the water story (synthetic credit code, valid check characters). */
  foodPlant: makeUscc('91', '500155', 'MA5UYL01'),
  point: [107.8, 30.6] as const,
  departments: ['market_regulation', 'ecology_environment', 'emergency_management', 'fire_rescue'],
  coordinator: 'operator.500155',
  inspector: (department: string) => `insp.500155.${department}.1`,
  inspectorId: (department: string) => `insp-500155-${department}-1`,
} as const;

/** Seeds the register, inspectors and story users once (idempotent); returns a banner line. */
export async function ensureEnforcementDemo(
  app: Pick<App, 'services'>,
  password: string,
  options: { count?: number } = {},
): Promise<string> {
  const { enforcement, jurisdictions, identity, organisation } = app.services;
  const streets: StreetRef[] = (await jurisdictions.list({ level: 'street' })).map((s) => ({
    code: s.code,
    name: s.name,
    path: s.path,
  }));
  if ((await enforcement.register.count()) === 0) {
    const located = await jurisdictions.locate(JOINT_STORY.point[0], JOINT_STORY.point[1]);
    const street = located?.chain.at(-1);
    const path = located?.chain.map((c) => c.code).join('/');
    const extra: GeneratedEnterprise[] =
      street && path
        ? [
            {
              creditCode: JOINT_STORY.foodPlant,
              name: '渝梁食品加工厂（合成）',
              industry: 'food_manufacturing',
              streetCode: street.code,
              districtCode: JOINT_STORY.district,
              jurisdictionPath: path,
              creditScore: 82,
              riskClass: 'B',
              synthetic: true,
            },
          ]
        : [];
    await enforcement.register.seed(SYSTEM_PRINCIPAL, {
      streets,
      count: options.count ?? DEMO_ENTERPRISES,
      extra,
    });
  }
  if ((await enforcement.complaints.count()) === 0)
    await enforcement.complaints.seedSynthetic(SYSTEM_PRINCIPAL);
  const ensure = async (
    username: string,
    roles: Role[],
    departmentCode: string | null,
    displayName: string,
  ) => {
    const department = departmentCode
      ? await organisation.structure.getDepartment(departmentCode).then(
          () => departmentCode,
          () => null,
        )
      : null;
    await identity.ensureUser({
      username,
      displayName,
      password,
      roles,
      jurisdictionCode: JOINT_STORY.district,
      departmentCode: department,
    });
  };
  await ensure(JOINT_STORY.coordinator, ['district_operator'], null, '梁平区城市运行管理中心 值班员');
  for (const d of JOINT_STORY.departments)
    await ensure(
      JOINT_STORY.inspector(d),
      ['field_officer'],
      `${JOINT_STORY.district}:${d}`,
      `梁平区 ${d} 执法人员 1`,
    );
  return `  enforcement ${await enforcement.register.count()} enterprises (synthetic); story inspectors ${JOINT_STORY.departments.map(JOINT_STORY.inspector).join(', ')}`;
}
