import { JOINT_STORY } from '../demo/enforcement-demo.ts';
import type { PlanDto } from '../modules/scenarios/index.ts';
import type { Json } from './driver.ts';

/** Every story: what it checks is printed and returned, so a test can assert it. */
export interface StoryResult {
  plan: PlanDto;
  event: Json;
}

/**
 * A story's outcome as one line of JSON: the figures a reader checks against the seed, `holds` (every
 * check passed) and `failed` (the checks that did not, in words). `citybrain simulate --json` prints it
 * last and exits 0 only when `holds`; the stories' test asserts the same object.
 */
export interface StoryOutcome {
  story: string;
  holds: boolean;
  failed: string[];
  [figure: string]: unknown;
}

type Check = [ok: boolean, what: string];

function outcome(story: string, figures: Record<string, unknown>, checks: Check[]): StoryOutcome {
  const failed = checks.filter(([ok]) => !ok).map(([, what]) => what);
  return { story, holds: failed.length === 0, failed, ...figures };
}

const live = (event: Json): Json[] =>
  (event.tasks ?? []).filter((t: { status: string }) => t.status !== 'cancelled');
const shape = (plan: PlanDto): string[] => plan.tasks.map((t) => `${t.departmentType}@${t.level}`);
const same = (a: string[], b: string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** Liangping: the food plant ranked first, ~6 h to the intake, 5 departments each acknowledge and close. */
export function liangpingOutcome({ plan, event }: StoryResult): StoryOutcome {
  const a = plan.analysis as Json;
  const first = a?.trace?.[0];
  const arrivalH = a?.arrival?.leadingEdgeH as number | undefined;
  const want = [
    'ecology_environment@district',
    'water_resources@district',
    'emergency_management@district',
    'government@district',
    'government@street',
  ];
  return outcome(
    'liangping',
    {
      firstSuspect: first?.name ?? null,
      firstSuspectKm: first?.distanceKm ?? null,
      arrivalHours: arrivalH === undefined ? null : Math.round(arrivalH * 10) / 10,
      departments: plan.tasks.length,
      acknowledged: plan.progress.acknowledged,
      done: plan.progress.done,
      elapsedMinutes: plan.progress.elapsedMinutes,
      targetMinutes: plan.targetMinutes,
      onTime: plan.progress.onTime,
      planStatus: plan.status,
      eventStatus: event.status,
    },
    [
      [first?.name === '渝梁食品加工厂' && first?.suspect === true, 'the food plant is the first suspect'],
      [
        arrivalH !== undefined && arrivalH > 5.5 && arrivalH < 6.5,
        'the slick reaches the intake in 5.5–6.5 h',
      ],
      [same(shape(plan), want), `tasks go to ${want.join(', ')}`],
      [plan.status === 'completed', 'the plan is completed'],
      [plan.progress.acknowledged === 5 && plan.progress.done === 5, 'all 5 tasks acknowledged and done'],
      [plan.progress.onTime === true, 'within the plan’s target time'],
      [event.status === 'resolved', 'the event is resolved'],
      [live(event).length === 5, 'the event holds exactly the 5 plan tasks'],
    ],
  );
}

/** Qijiang: one event from 3 days of low DO, the two sewage plants as suspects, water bureau, town, centre told. */
export function qijiangOutcome(
  { plan, event }: StoryResult,
  seen: { sensorEvents: number; centreNotified: boolean },
): StoryOutcome {
  const suspects = ((plan.analysis as Json)?.trace ?? [])
    .filter((c: Json) => c.suspect)
    .map((c: Json) => c.name as string);
  const want = ['ecology_environment@district', 'water_resources@district', 'government@street'];
  return outcome(
    'qijiang',
    {
      suspects,
      category: event.category,
      sensorEvents: seen.sensorEvents,
      departments: plan.tasks.length,
      centreNotified: seen.centreNotified,
      eventStatus: event.status,
    },
    [
      [
        suspects.length === 2 &&
          ['寨溪镇污水处理厂', '蒲河场镇污水处理厂'].every((s) => suspects.includes(s)),
        'the two sewage plants, and only they, are suspects',
      ],
      [event.category === 'dissolved_oxygen_low', 'the event is dissolved_oxygen_low'],
      [seen.sensorEvents === 1, 'three days of low readings make one sensor event'],
      [same(shape(plan), want), `tasks go to ${want.join(', ')}`],
      [seen.centreNotified, 'the grassroots centre is told the plan started'],
    ],
  );
}

/** Jiefangbei: 3 risk points → dispersal plan to 6 departments → all done within 15 minutes. */
export function jiefangbeiOutcome({ plan, event }: StoryResult): StoryOutcome {
  const points = ((plan.analysis as Json)?.points ?? []).map((p: Json) => p.name as string);
  const want = ['public_security', 'transport', 'commerce', 'urban_management', 'government', 'government'];
  return outcome(
    'jiefangbei',
    {
      riskPoints: points,
      departments: plan.tasks.length,
      acknowledged: plan.progress.acknowledged,
      done: plan.progress.done,
      elapsedMinutes: plan.progress.elapsedMinutes,
      targetMinutes: plan.targetMinutes,
      onTime: plan.progress.onTime,
      planStatus: plan.status,
      eventStatus: event.status,
    },
    [
      [
        points.length === 3 &&
          ['解放碑广场', '八一路好吃街', '民权路步行段'].every((p) => points.includes(p)),
        'three risk points: 解放碑广场, 八一路好吃街, 民权路步行段',
      ],
      [
        same(
          plan.tasks.map((t) => t.departmentType),
          want,
        ),
        `tasks go to ${want.join(', ')}`,
      ],
      [plan.status === 'completed' && plan.progress.done === 6, 'all 6 tasks done'],
      [
        plan.targetMinutes === 15 && plan.progress.onTime === true && plan.progress.elapsedMinutes <= 15,
        'done within 15 minutes',
      ],
    ],
  );
}

/** Jiaochangkou: citizen → squads → photos → verified → rated. */
export function jiaochangkouOutcome(
  { event }: { event: Json },
  seen: { citizenNotified: boolean; rated: boolean },
): StoryOutcome {
  return outcome(
    'jiaochangkou',
    {
      category: event.category,
      eventStatus: event.status,
      tasks: live(event).length,
      citizenNotified: seen.citizenNotified,
      rated: seen.rated,
    },
    [
      [event.category === 'barbecue_smoke', 'classified barbecue_smoke'],
      [event.status === 'closed', 'the event is verified and closed'],
      [seen.citizenNotified, 'the citizen is told'],
      [seen.rated, 'the citizen’s rating is taken'],
    ],
  );
}

/** What the data-sharing story saw at each step. */
export interface DataSharingSeen {
  permits: { status: number; rows: Json[]; maskedFields: string[] };
  personal: { status: number; entries: { id: string; basis: string }[] };
  conditional: { filed: number; approved: string | undefined; served: number; rows: number };
  exchangesLogged: number;
  logVerified: boolean;
}

/** Data sharing: allowed with the phone masked, denied citing the entry and its basis, approved then served, log intact. */
export function dataSharingOutcome(seen: DataSharingSeen): StoryOutcome {
  const { permits, personal, conditional } = seen;
  const enterprises = permits.rows.map((r) => r.enterprise as string);
  const phonesMasked =
    permits.rows.length > 0 && permits.rows.every((r) => /^1\d{2}\*{4}\d{4}$/.test(String(r.contact_phone)));
  const deniedBy = personal.entries.map((e) => e.id);
  const conditionalApproved = conditional.approved === 'approved' && conditional.served === 200;
  return outcome(
    'data-sharing',
    {
      allowed: permits.status === 200,
      suspects: enterprises,
      maskedFields: permits.maskedFields,
      denied: personal.status === 403,
      deniedBy,
      bases: personal.entries.map((e) => e.basis),
      conditionalApproved,
      conditionalRows: conditional.rows,
      exchangesLogged: seen.exchangesLogged,
      logVerified: seen.logVerified,
    },
    [
      [
        permits.status === 200 &&
          ['寨溪镇污水处理厂', '蒲河场镇污水处理厂'].every((s) => enterprises.includes(s)),
        'the water bureau reads the permits of both Qijiang suspects',
      ],
      [phonesMasked && permits.maskedFields.includes('contact_phone'), 'the contact phone is masked'],
      [
        personal.status === 403 &&
          deniedBy.includes('NL-DEMO-PS-1') &&
          personal.entries.every((e) => e.basis),
        'public security’s personal records are denied, citing NL-DEMO-PS-1 and its legal basis',
      ],
      [conditional.filed === 202, 'the conditional request becomes an application'],
      [conditionalApproved && conditional.rows > 0, 'the owner department approves and the data is served'],
      [seen.exchangesLogged >= 4, 'every exchange is in the exchange log'],
      [seen.logVerified, 'the exchange log verifies'],
    ],
  );
}

/** What the joint-inspection story saw, checked into its outcome. */
export interface JointInspectionSeen {
  inspectionsPlanned: number;
  visits: number;
  departments: string[];
  leadDepartment: string;
  codesVerified: number;
  forgedRefused: boolean;
  outsideChecklistRefused: boolean;
  recordCountersigned: boolean;
  recordVerified: boolean;
  repeatRefused: boolean;
  seedMismatchRefused: boolean;
  drawRerunMatches: boolean;
  creditBefore: number;
  creditAfter: number;
  riskClassAfter: string;
  /** The record that lowered the score said the enterprise may apply for credit repair. */
  creditRepairOffered: boolean;
  /** The credit-repair application completed at the desks and lifted the record's penalty. */
  creditRepaired: boolean;
  creditAfterRepair: number | null;
  riskClassAfterRepair: string | null;
}

/**
 * Joint inspection: one visit of four departments, both codes verified, countersigned, repeat
 * refused, credit moved; then credit repair through the integrated-services bundle restores it.
 */
export function jointInspectionOutcome(seen: JointInspectionSeen): StoryOutcome {
  return outcome('joint-inspection', { ...seen }, [
    [seen.inspectionsPlanned >= 4, 'at least four departments’ inspections are planned'],
    [seen.visits === 1, 'they are merged into one visit'],
    [
      JOINT_STORY.departments.every((d) => seen.departments.includes(d)),
      'the visit holds the four departments',
    ],
    [seen.codesVerified === 2, '执法码 and 企业码 both verify'],
    [seen.forgedRefused, 'a forged code is refused'],
    [seen.outsideChecklistRefused, 'a finding outside the checklist is refused'],
    [seen.recordCountersigned && seen.recordVerified, 'the record is countersigned and verifies'],
    [seen.repeatRefused, 'a repeat inspection within the quiet period is refused'],
    [
      seen.seedMismatchRefused && seen.drawRerunMatches,
      'the draw refuses a wrong seed and re-runs to the published result',
    ],
    [seen.creditAfter < seen.creditBefore, 'the failed item lowers the credit score'],
    [seen.creditRepairOffered, 'the record offers credit repair'],
    [
      seen.creditRepaired && seen.creditAfterRepair !== null && seen.creditAfterRepair >= seen.creditBefore,
      'credit repair through the integrated-services bundle restores the score',
    ],
  ]);
}
