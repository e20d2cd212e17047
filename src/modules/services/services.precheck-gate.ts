import { createHash } from 'node:crypto';
import type { Principal } from '../../platform/access.ts';
import type { Logger } from '../../platform/logger.ts';
import type { PrecheckGate } from './services.deps.ts';
import { sniffMaterial } from './services.files.ts';
import {
  checkMaterial,
  expectationOf,
  imageSize,
  type MaterialVerdict,
  type PrecheckMaterialInput,
} from './services.precheck.ts';
import type { MaterialDto, MaterialPrecheck } from './services.schema.ts';

/** The filed algorithm every pre-check of materials runs through (data/algorithms/services.v1.json). */
export const PRECHECK_ALGORITHM = 'services.material-precheck';

/** The application the pre-check is about. */
interface AppRef {
  id: string;
  jurisdiction_path: string;
}

/** What the gate is given (digested whole; the filing's explainFields say what the log keeps). */
interface PrecheckInput {
  application: string;
  today: string;
  materials: PrecheckMaterialInput[];
}

const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+);base64,([A-Za-z0-9+/]+=*)$/;

/** The facts of one given value: a file's real type, size, hash and pixels (never its bytes), or the text. */
function factsOf(m: MaterialDto, value: string): PrecheckMaterialInput {
  const format = m.format ?? 'file';
  const expects = expectationOf(m.code, format);
  if (format === 'text') return { code: m.code, expects, text: value };
  const match = DATA_URL.exec(value);
  const bytes = Buffer.from(match?.[2] ?? '', 'base64');
  const size = imageSize(bytes);
  return {
    code: m.code,
    expects,
    file: {
      declaredType: match?.[1] ?? 'application/octet-stream',
      contentType: sniffMaterial(bytes),
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      width: size?.width ?? null,
      height: size?.height ?? null,
    },
  };
}

/** The day in China (UTC+8) at `now`: dates given by applicants are local dates. */
const chinaDay = (now: Date) => new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

/**
 * Pre-checks the materials the applicant gave now (a filing or a correction) through the gate, one
 * decision for all of them, and returns the materials with their `precheck`. Without a gate wired
 * nothing is added; an algorithm not in use (or failing) gives `not_prechecked` with the gate's reason.
 */
export async function precheckGiven(
  gate: PrecheckGate | undefined,
  app: AppRef,
  applicant: Principal,
  materials: MaterialDto[],
  given: Record<string, string>,
  now: Date,
): Promise<MaterialDto[]> {
  const mine = materials.filter((m) => m.origin === 'applicant' && given[m.code] !== undefined);
  if (!gate || !mine.length) return materials;
  const input: PrecheckInput = {
    application: app.id,
    today: chinaDay(now),
    materials: mine.map((m) => factsOf(m, given[m.code] as string)),
  };
  const subjects = [{ type: 'service_application', id: app.id }];
  const r = await gate.runOrFallback<PrecheckInput, { materials: Record<string, MaterialVerdict> }>(
    PRECHECK_ALGORITHM,
    input,
    (i) => {
      const verdicts = Object.fromEntries(i.materials.map((m) => [m.code, checkMaterial(m, i.today)]));
      const flagged = Object.entries(verdicts).filter(([, v]) => v.result === 'needs_review');
      const list = flagged.map(([c, v]) => `${c} (${v.reasons.map((x) => x.code).join(', ')})`);
      return {
        output: { materials: verdicts },
        explanation: {
          text: `${i.materials.length} materials pre-checked, ${flagged.length} for review${list.length ? `: ${list.join('; ')}` : ''}`,
          zh: `预审 ${i.materials.length} 份材料，${flagged.length} 份需人工核对`,
          data: { checked: i.materials.length, flagged: flagged.length },
        },
      };
    },
    { principal: applicant, subjects, jurisdictionPath: app.jurisdiction_path },
  );
  const at = now.toISOString();
  return materials.map((m): MaterialDto => {
    if (!mine.includes(m)) return m;
    const precheck: MaterialPrecheck = r.decided
      ? {
          status: r.output.materials[m.code]?.result ?? 'pass',
          reasons: r.output.materials[m.code]?.reasons ?? [],
          decisionId: r.decisionId,
          algorithm: `${r.key}@${r.version}`,
          at,
        }
      : { status: 'not_prechecked', reasons: [], decisionId: r.decisionId, notCheckedReason: r.reason, at };
    return { ...m, precheck };
  });
}

/**
 * The desk's human oversight of the pre-check: approving a step whose materials the pre-check flagged,
 * or asking for a correction of materials it passed (those named, else — when it flagged none of the
 * step's — all it passed), is recorded as an override of that decision with the desk's reason.
 * Returns the decisions overridden; a failure is logged, never undoes the desk's decision.
 */
export async function precheckOverrides(
  gate: PrecheckGate | undefined,
  logger: Logger | undefined,
  by: Principal,
  stepMaterials: MaterialDto[],
  decision: 'approve' | 'reject' | 'correction',
  reason: string | undefined,
  named: string[] | undefined,
): Promise<string[]> {
  if (!gate || decision === 'reject') return [];
  const checked = stepMaterials.filter(
    (m) => m.precheck?.status === 'pass' || m.precheck?.status === 'needs_review',
  );
  const flagged = checked.filter((m) => m.precheck?.status === 'needs_review');
  const passed = checked.filter((m) => m.precheck?.status === 'pass');
  const against =
    decision === 'approve'
      ? flagged
      : named?.length
        ? passed.filter((m) => named.includes(m.code))
        : flagged.length
          ? []
          : passed;
  const byDecision = new Map<string, Record<string, string>>();
  for (const m of against) {
    const id = m.precheck?.decisionId as string;
    byDecision.set(id, { ...byDecision.get(id), [m.code]: decision === 'approve' ? 'pass' : 'needs_review' });
  }
  const done: string[] = [];
  const why = reason ?? (decision === 'approve' ? '窗口审核通过（未填写理由）' : '窗口要求补正');
  for (const [id, materials] of byDecision) {
    try {
      await gate.recordOverride(id, by, why, { materials, decision });
      done.push(id);
    } catch (err) {
      logger?.warn({ err, decisionId: id }, 'pre-check override not recorded');
    }
  }
  return done;
}
