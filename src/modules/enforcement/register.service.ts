import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { assertVisible, hasRole, type Principal, ROLE_GROUPS, requireRole } from '../../platform/access.ts';
import { forTables } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import { CREDIT_REPAIR_BUNDLE, riskClassOf } from './credit.ts';
import type { EnforcementDeps } from './enforcement.deps.ts';
import { EnforcementRepository, toEnterprise } from './enforcement.repository.ts';
import type { EnterpriseBody, EnterpriseDto, EnterpriseQuery, InspectorDto } from './enforcement.schema.ts';
import type { EnforcementTables } from './enforcement.tables.ts';
import { RecordsRepository } from './records.repository.ts';
import { type GeneratedEnterprise, generateRegister, type StreetRef } from './register.generate.ts';
import { usccProblem } from './uscc.ts';

/** Inspectors per department plan and district in the demo city. */
export const INSPECTORS_PER_DEPARTMENT = 5;

/** The enterprise register and the inspectors: seeding, registration with code validation, keys, one-time codes. */
export class RegisterService {
  private readonly repo = new EnforcementRepository();
  private readonly records = new RecordsRepository();
  private readonly deps: EnforcementDeps;
  constructor(deps: EnforcementDeps) {
    this.deps = deps;
  }

  private get db() {
    return forTables<EnforcementTables>(this.deps.db);
  }

  /** Throws invalid_credit_code (400) when the code fails GB 32100; details say why. */
  static assertCode(code: string): void {
    const problem = usccProblem(code);
    if (problem)
      throw new AppError(
        'invalid_credit_code',
        `'${code}' is not a valid unified social credit code (${problem})`,
        {
          creditCode: code,
          reason: problem,
        },
      );
  }

  /**
   * Seeds the synthetic register (deterministic) over the streets, with `extra` enterprises (a
   * story's own), and the districts' inspectors; idempotent (existing codes and ids are kept).
   */
  async seed(
    principal: Principal,
    options: { streets: StreetRef[]; count: number; seed?: number; extra?: GeneratedEnterprise[] },
  ): Promise<{ enterprises: number; inspectors: number }> {
    requireRole(principal, 'admin');
    const { catalogue } = this.deps;
    const register = [
      ...(options.extra ?? []),
      ...generateRegister({
        streets: options.streets,
        industries: catalogue.file.industries,
        count: options.count,
        seed: options.seed,
      }),
    ];
    for (const e of register) RegisterService.assertCode(e.creditCode);
    const districts = new Map(
      options.streets.map((s) => [s.code.slice(0, 6), s.path.split('/').slice(0, 2).join('/')]),
    );
    const inspectors = [...districts].flatMap(([district, path]) =>
      catalogue.plans.departments.flatMap((plan) =>
        Array.from({ length: INSPECTORS_PER_DEPARTMENT }, (_, n) => ({
          id: `insp-${district}-${plan.department}-${n + 1}`,
          username: `insp.${district}.${plan.department}.${n + 1}`,
          name: `${district} ${plan.department} 执法人员 ${n + 1}`,
          department: plan.department,
          districtCode: district,
          jurisdictionPath: path,
          // The last inspector of a department with several items is not yet qualified for its last one.
          qualifications:
            n === INSPECTORS_PER_DEPARTMENT - 1 && plan.items.length > 1
              ? plan.items.slice(0, -1)
              : plan.items,
          hasKey: false,
        })),
      ),
    );
    const at = this.deps.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const enterprises = await this.repo.insertEnterprises(trx, register, at);
      await this.repo.upsertInspectors(trx, inspectors);
      await this.deps.audit.append(trx, {
        actor: principal,
        action: 'enforcement.register.seeded',
        subjectType: 'enforcement_register',
        subjectId: 'synthetic',
        details: { enterprises, inspectors: inspectors.length, synthetic: true },
      });
      return { enterprises, inspectors: inspectors.length };
    });
  }

  /** Registers one enterprise; its credit code is checked first (400 invalid_credit_code). */
  async register(principal: Principal, body: EnterpriseBody): Promise<EnterpriseDto> {
    requireRole(principal, ...ROLE_GROUPS.operators);
    RegisterService.assertCode(body.creditCode);
    if (!this.deps.catalogue.file.industries.some((i) => i.code === body.industry))
      throw new AppError('invalid_data', `unknown industry '${body.industry}'`, { industry: body.industry });
    const street = await this.deps.streets.get(body.streetCode);
    if (!street)
      throw new AppError('invalid_data', `unknown street '${body.streetCode}'`, {
        streetCode: body.streetCode,
      });
    assertVisible(principal, street.path, 'street', body.streetCode);
    const at = this.deps.clock.now();
    const row: GeneratedEnterprise = {
      creditCode: body.creditCode,
      name: body.name,
      industry: body.industry,
      streetCode: street.code,
      districtCode: street.code.slice(0, 6),
      jurisdictionPath: street.path,
      creditScore: body.creditScore,
      riskClass: riskClassOf(body.creditScore),
      synthetic: false,
    };
    return this.db.transaction().execute(async (trx) => {
      if (await this.repo.enterprise(trx, body.creditCode))
        throw new AppError('conflict', `enterprise ${body.creditCode} is registered`, {
          creditCode: body.creditCode,
        });
      await this.repo.insertEnterprises(trx, [row], at);
      await this.deps.audit.append(trx, {
        actor: principal,
        action: 'enforcement.enterprise.registered',
        subjectType: 'enterprise',
        subjectId: body.creditCode,
        jurisdictionPath: street.path,
      });
      return toEnterprise((await this.repo.enterprise(trx, body.creditCode)) as never);
    });
  }

  /** One enterprise with its credit-repair state (400 for a malformed code, 404 outside the caller's scope). */
  async get(principal: Principal, code: string): Promise<EnterpriseDto> {
    RegisterService.assertCode(code);
    const row = await this.repo.enterprise(this.db, code);
    if (!row)
      throw new AppError('not_found', `enterprise '${code}' not found`, { kind: 'enterprise', key: code });
    assertVisible(principal, row.jurisdiction_path, 'enterprise', code);
    const repair = await this.records.repairState(this.db, code);
    return {
      ...toEnterprise(row),
      creditRepair: {
        bundleId: CREDIT_REPAIR_BUNDLE,
        repairableRecords: repair.repairable,
        lastRepairedAt: repair.lastRepairedAt?.toISOString() ?? null,
      },
    };
  }

  /** One enterprise with its jurisdiction path (for audit entries and scope checks of other services). */
  async getPlaced(principal: Principal, code: string): Promise<EnterpriseDto & { jurisdictionPath: string }> {
    const dto = await this.get(principal, code);
    const row = await this.repo.enterprise(this.db, code);
    return { ...dto, jurisdictionPath: row?.jurisdiction_path ?? '' };
  }

  async list(principal: Principal, query: EnterpriseQuery): Promise<EnterpriseDto[]> {
    return this.repo.listEnterprises(this.db, principal, query);
  }

  async count(): Promise<number> {
    return this.repo.countEnterprises(this.db);
  }

  /** One inspector (404 outside scope). */
  async inspector(
    principal: Principal,
    id: string,
  ): Promise<InspectorDto & { jurisdictionPath: string; publicKey: string | null }> {
    const r = await this.repo.inspector(this.db, id);
    if (!r) throw new AppError('not_found', `inspector '${id}' not found`, { kind: 'inspector', key: id });
    assertVisible(principal, r.jurisdiction_path, 'inspector', id);
    const q = r.qualifications as unknown;
    return {
      id: r.id,
      username: r.username,
      name: r.name,
      department: r.department,
      districtCode: r.district_code,
      qualifications: typeof q === 'string' ? JSON.parse(q) : (q as string[]),
      hasKey: r.public_key !== null,
      jurisdictionPath: r.jurisdiction_path,
      publicKey: r.public_key,
    };
  }

  /** True when the principal is the inspector (a field officer logged in as them) or an operator. */
  static actsFor(principal: Principal, inspector: { username: string | null }): boolean {
    return (
      hasRole(principal, ...ROLE_GROUPS.operators) ||
      (inspector.username !== null && principal.name === inspector.username)
    );
  }

  /** Binds the Ed25519 key an inspector's field app countersigns with (the inspector, or an operator). */
  async setInspectorKey(principal: Principal, id: string, publicKey: string): Promise<InspectorDto> {
    const inspector = await this.inspector(principal, id);
    if (!RegisterService.actsFor(principal, inspector))
      throw new AppError('forbidden', 'only the inspector or an operator binds an inspector key', {
        inspector: id,
      });
    await this.db.transaction().execute(async (trx) => {
      await this.repo.setInspectorKey(trx, id, publicKey);
      await this.deps.audit.append(trx, {
        actor: principal,
        action: 'enforcement.inspector.key_bound',
        subjectType: 'inspector',
        subjectId: id,
        jurisdictionPath: inspector.jurisdictionPath,
      });
    });
    const { jurisdictionPath: _p, publicKey: _k, ...dto } = await this.inspector(principal, id);
    return dto;
  }

  /** Binds the Ed25519 key an enterprise countersigns with (registered at the service desk: operators). */
  async setEnterpriseKey(principal: Principal, code: string, publicKey: string): Promise<EnterpriseDto> {
    requireRole(principal, ...ROLE_GROUPS.operators);
    const enterprise = await this.get(principal, code);
    await this.db.transaction().execute(async (trx) => {
      await this.repo.setEnterpriseKey(trx, code, publicKey, this.deps.clock.now());
      await this.deps.audit.append(trx, {
        actor: principal,
        action: 'enforcement.enterprise.key_bound',
        subjectType: 'enterprise',
        subjectId: code,
        details: { district: enterprise.districtCode },
      });
    });
    return this.get(principal, code);
  }

  /**
   * Issues a one-time code the enterprise countersigns with instead of a key (valid 2 hours, one use;
   * stored hashed). A deployment sends it to the enterprise's registered contact; this returns it.
   */
  async issueOneTimeCode(principal: Principal, code: string): Promise<{ code: string; expiresAt: string }> {
    requireRole(principal, ...ROLE_GROUPS.operators);
    await this.get(principal, code);
    const otc = String(randomBytes(4).readUInt32BE(0) % 1_000_000).padStart(6, '0');
    const expires = new Date(this.deps.clock.now().getTime() + 2 * 3600_000);
    await this.db.transaction().execute(async (trx) => {
      await this.records.insertOtc(trx, {
        id: randomUUID(),
        enterprise_code: code,
        code_hash: otcHash(code, otc),
        expires_at: expires,
        used_at: null,
      });
      await this.deps.audit.append(trx, {
        actor: principal,
        action: 'enforcement.enterprise.otc_issued',
        subjectType: 'enterprise',
        subjectId: code,
      });
    });
    return { code: otc, expiresAt: expires.toISOString() };
  }
}

/** The stored form of a one-time code (bound to the enterprise). */
export const otcHash = (enterprise: string, code: string): string =>
  createHash('sha256').update(`${enterprise}:${code}`).digest('hex');
