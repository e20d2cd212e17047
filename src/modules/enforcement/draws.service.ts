import { randomUUID } from 'node:crypto';
import { assertVisible, type Principal, ROLE_GROUPS, requireRole } from '../../platform/access.ts';
import { forTables } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import { commitmentOf, type DrawInputs, type DrawResult, drawJoint, inputsDigest } from './draw.ts';
import type { EnforcementDeps } from './enforcement.deps.ts';
import { EnforcementRepository } from './enforcement.repository.ts';
import type { DrawCommitBody, DrawDto } from './enforcement.schema.ts';
import type { EnforcementTables } from './enforcement.tables.ts';
import { type DrawRow, RecordsRepository } from './records.repository.ts';
import type { VisitService } from './visits.service.ts';

const parse = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

const toDraw = (r: Omit<DrawRow, 'inputs'>): DrawDto => {
  const result = r.result ? parse<DrawResult>(r.result) : null;
  return {
    id: r.id,
    districtCode: r.district_code,
    month: r.month,
    departments: parse<string[]>(r.departments),
    commitment: r.commitment,
    inputsDigest: r.inputs_digest,
    status: r.status as DrawDto['status'],
    seed: r.seed,
    resultDigest: r.result_digest,
    selections: result?.selections ?? null,
    unstaffed: result?.unstaffed ?? null,
    committedAt: r.committed_at.toISOString(),
    revealedAt: r.revealed_at?.toISOString() ?? null,
  };
};

/** The last day of a YYYY-MM month. */
const monthEnd = (month: string): string => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};

/** The "double random, one public" draws: commit (hash of the seed and the inputs' digest), reveal, public re-run. */
export class DrawService {
  private readonly repo = new EnforcementRepository();
  private readonly records = new RecordsRepository();
  private readonly deps: EnforcementDeps;
  private readonly visits: VisitService;
  constructor(deps: EnforcementDeps, visits: VisitService) {
    this.deps = deps;
    this.visits = visits;
  }

  private get db() {
    return forTables<EnforcementTables>(this.deps.db);
  }

  /**
   * Publishes a draw before it is made: the seed's SHA-256 and the inputs (the district's enterprises
   * and risk classes, its qualified inspectors, the plans' items and rates, the enterprises in the
   * quiet period) with their digest, fixed from now on.
   */
  async commit(principal: Principal, body: DrawCommitBody): Promise<DrawDto> {
    requireRole(principal, ...ROLE_GROUPS.operators);
    const { catalogue } = this.deps;
    const departments = body.departments ?? catalogue.plans.departments.map((p) => p.department);
    for (const d of departments)
      if (!catalogue.plans.departments.some((p) => p.department === d))
        throw new AppError('invalid_data', `no annual plan for ${d}`, { department: d });
    const path = await this.repo.districtPath(this.db, body.districtCode);
    if (!path)
      throw new AppError('invalid_data', `no enterprises registered in ${body.districtCode}`, {
        districtCode: body.districtCode,
      });
    assertVisible(principal, path, 'district', body.districtCode);
    const monthStart = `${body.month}-01`;
    const quietStart = new Date(
      Date.parse(`${monthStart}T00:00:00Z`) - catalogue.plans.quietPeriodDays * 86_400_000,
    )
      .toISOString()
      .slice(0, 10);
    const id = randomUUID();
    return this.db.transaction().execute(async (trx) => {
      const enterprises = await this.repo.population(trx, body.districtCode);
      if (enterprises.length === 0)
        throw new AppError('invalid_data', `no enterprises registered in ${body.districtCode}`, {
          districtCode: body.districtCode,
        });
      const recent = await this.repo.visitedBetween(trx, path, quietStart, monthStart);
      const plans = catalogue.plans.departments.filter((p) => departments.includes(p.department));
      const inputs: DrawInputs = {
        district: body.districtCode,
        month: body.month,
        departments,
        items: plans.flatMap((p) =>
          p.items.map((itemId) => {
            const item = catalogue.items.get(itemId);
            return { id: itemId, department: p.department, industries: item?.industries ?? [] };
          }),
        ),
        rates: catalogue.plans.ratePerYearByRiskClass,
        inspectorsPerInspection: catalogue.plans.inspectorsPerInspection,
        enterprises,
        inspectors: (await this.repo.inspectorsOf(trx, body.districtCode)).filter((i) =>
          departments.includes(i.department),
        ),
        exclude: recent,
      };
      await this.records.insertDraw(trx, {
        id,
        district_code: body.districtCode,
        jurisdiction_path: path,
        month: body.month,
        departments: JSON.stringify([...departments].sort()),
        commitment: body.commitment,
        inputs: JSON.stringify(inputs),
        inputs_digest: inputsDigest(inputs),
        seed: null,
        result: null,
        result_digest: null,
        status: 'committed',
        committed_by: principal.id,
        committed_at: this.deps.clock.now(),
        revealed_at: null,
      });
      await this.deps.audit.append(trx, {
        actor: principal,
        action: 'enforcement.draw.committed',
        subjectType: 'draw',
        subjectId: id,
        jurisdictionPath: path,
        details: { month: body.month, commitment: body.commitment },
      });
      return toDraw((await this.records.draw(trx, id)) as DrawRow);
    });
  }

  /**
   * Reveals the seed: refused (409 seed_mismatch, audited) unless SHA-256(seed) is the commitment;
   * then draws from the committed inputs and plans each selection as an inspection (merged into visits).
   */
  async reveal(
    principal: Principal,
    id: string,
    seed: string,
  ): Promise<DrawDto & { planned: number; refused: number }> {
    requireRole(principal, ...ROLE_GROUPS.operators);
    const draw = await this.records.draw(this.db, id);
    if (!draw) throw new AppError('not_found', `draw '${id}' not found`, { kind: 'draw', key: id });
    assertVisible(principal, draw.jurisdiction_path, 'draw', id);
    if (commitmentOf(seed) !== draw.commitment) {
      await this.deps.audit.record(this.deps.db, {
        actor: principal,
        action: 'enforcement.draw.reveal_refused',
        subjectType: 'draw',
        subjectId: id,
        jurisdictionPath: draw.jurisdiction_path,
        details: { commitment: draw.commitment, hashOfSeed: commitmentOf(seed) },
      });
      throw new AppError('seed_mismatch', 'the seed does not hash to the published commitment', {
        commitment: draw.commitment,
        hashOfSeed: commitmentOf(seed),
      });
    }
    return this.db.transaction().execute(async (trx) => {
      const locked = (await this.records.draw(trx, id, true)) as DrawRow;
      if (locked.status !== 'committed')
        throw new AppError('conflict', `draw ${id} is already revealed`, { id });
      const result = drawJoint(seed, parse<DrawInputs>(locked.inputs));
      const at = this.deps.clock.now();
      await this.records.revealDraw(trx, id, seed, result, result.resultDigest, at);
      let planned = 0;
      let refused = 0;
      for (const s of result.selections) {
        try {
          await this.visits.place(trx, principal, {
            enterpriseCode: s.enterprise,
            department: s.department,
            start: `${locked.month}-01`,
            end: monthEnd(locked.month),
            inspectors: s.inspectors,
            source: 'draw',
            drawId: id,
          });
          planned++;
        } catch (error) {
          // A selection that would repeat a visit in the quiet period is left out of the plan (counted).
          if (!(error instanceof AppError && error.code === 'repeat_inspection')) throw error;
          refused++;
        }
      }
      await this.deps.audit.append(trx, {
        actor: principal,
        action: 'enforcement.draw.revealed',
        subjectType: 'draw',
        subjectId: id,
        jurisdictionPath: locked.jurisdiction_path,
        details: {
          resultDigest: result.resultDigest,
          selections: result.selections.length,
          planned,
          refused,
        },
      });
      return { ...toDraw((await this.records.draw(trx, id)) as DrawRow), planned, refused };
    });
  }

  /** A draw as published (public: 一公开). */
  async get(id: string): Promise<DrawDto> {
    const draw = await this.records.draw(this.db, id);
    if (!draw) throw new AppError('not_found', `draw '${id}' not found`, { kind: 'draw', key: id });
    return toDraw(draw);
  }

  async list(districtCode: string | undefined, limit: number): Promise<DrawDto[]> {
    return (await this.records.listDraws(this.db, districtCode, limit)).map(toDraw);
  }

  /** The committed inputs (public), so anyone can re-run the draw elsewhere. */
  async inputs(id: string): Promise<DrawInputs> {
    const draw = await this.records.draw(this.db, id);
    if (!draw) throw new AppError('not_found', `draw '${id}' not found`, { kind: 'draw', key: id });
    return parse<DrawInputs>(draw.inputs);
  }

  /** Re-runs a revealed draw from its published seed and inputs and compares with the published result (public). */
  async rerun(id: string) {
    const draw = await this.records.draw(this.db, id);
    if (!draw) throw new AppError('not_found', `draw '${id}' not found`, { kind: 'draw', key: id });
    if (!draw.seed || !draw.result_digest)
      throw new AppError('conflict', `draw ${id} is not revealed yet`, { id, status: draw.status });
    const inputs = parse<DrawInputs>(draw.inputs);
    const result = drawJoint(draw.seed, inputs);
    const commitmentMatches = commitmentOf(draw.seed) === draw.commitment;
    const inputsDigestMatches = inputsDigest(inputs) === draw.inputs_digest;
    return {
      drawId: id,
      matches: commitmentMatches && inputsDigestMatches && result.resultDigest === draw.result_digest,
      commitmentMatches,
      inputsDigestMatches,
      resultDigest: result.resultDigest,
      publishedResultDigest: draw.result_digest,
    };
  }
}
