import { randomUUID } from 'node:crypto';
import type { Principal } from '../../platform/access.ts';
import { type Db, forTables } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import { ed25519KeyFrom } from '../../platform/signing.ts';
import type { Recipient } from '../notify/index.ts';
import { type Bundle, bundleDepartments } from './services.bundle.ts';
import { CERTIFICATE_KEY_LABEL, ServicesCertificates } from './services.certificates.ts';
import { type BundleDefinitionDto, bundleDefinition, CONSENT_TEXT } from './services.definition.ts';
import type { ServicesDeps } from './services.deps.ts';
import {
  blankMaterial,
  checkEligibility,
  formProblems,
  materialProblem,
  readySteps,
  summarise,
} from './services.engine.ts';
import { MaterialFiles } from './services.files.ts';
import { precheckGiven } from './services.precheck-gate.ts';
import type { BundleRegistry } from './services.registry.ts';
import { type ApplicationRow, ServicesRepository, type StepRow, toStepDto } from './services.repository.ts';
import type {
  ApplicationDto,
  BundleSummaryDto,
  CreateApplication,
  EligibilityDto,
  MaterialDto,
  SubmitBody,
} from './services.schema.ts';
import type { ServicesTables } from './services.tables.ts';

/** The words of the consent the applicant gives (recorded with the application). */
export { CONSENT_TEXT };

/**
 * Applications of bundles (一件事一次办): eligibility, creating an application with its materials
 * filled from departments' records (with consent, through the gateway), the applicant's
 * confirmation and submission, and reading applications. The desks' side is services.desk.ts;
 * the shared steps of both (opening the next steps, notices) are here.
 */
export class ServicesCore {
  readonly deps: ServicesDeps;
  readonly bundles: BundleRegistry;
  readonly repo = new ServicesRepository();
  readonly certificates: ServicesCertificates;
  /** The applicants' uploaded files (the desks open them). */
  readonly files: MaterialFiles;

  constructor(deps: ServicesDeps, bundles: BundleRegistry) {
    this.deps = deps;
    this.bundles = bundles;
    this.files = new MaterialFiles(this);
    this.certificates = new ServicesCertificates(
      this,
      ed25519KeyFrom(deps.signingSeed, CERTIFICATE_KEY_LABEL),
    );
  }

  db(trx: Db = this.deps.db) {
    return forTables<ServicesTables>(trx);
  }

  /** The bundles new applications can start, with their figures. */
  listBundles(): BundleSummaryDto[] {
    return this.bundles.list().map((b) => bundleSummary(b));
  }

  /** A bundle's whole definition: the current version, or the one named (running applications stay on theirs). */
  definition(id: string, version?: number): BundleDefinitionDto {
    const current = this.bundles.current(id);
    if (version === undefined || version === current.version) return bundleDefinition(current, true);
    const b = this.bundles.find(id, version);
    if (!b)
      throw new AppError('not_found', `bundle '${id}' has no version ${version}`, {
        kind: 'bundle',
        key: `${id}@${version}`,
      });
    return bundleDefinition(b, false);
  }

  /** Tells the applicant, before anything is filed, which eligibility rules the form fails. */
  eligibility(bundleId: string, form: Record<string, unknown>): EligibilityDto {
    return checkEligibility(this.bundles.current(bundleId), form, this.deps.clock.now());
  }

  /**
   * Starts an application (a draft): the form is checked, eligibility is told, and — with the
   * applicant's consent — every material a department holds is read through the gateway and shown
   * for confirmation; what no department holds (or everything, without consent) is asked for.
   */
  async apply(
    principal: Principal,
    input: CreateApplication,
    /** Runs in the transaction that files the draft (a proposal accepted with it). */
    within?: (trx: Db, id: string) => Promise<void>,
  ): Promise<ApplicationDto> {
    const bundle = this.bundles.current(input.bundleId);
    const problems = formProblems(bundle, input.form);
    if (problems.length)
      throw new AppError('invalid_data', `the form is incomplete: ${problems.join('; ')}`, {
        fields: problems,
      });
    const eligible = checkEligibility(bundle, input.form, this.deps.clock.now());
    if (!eligible.eligible)
      throw new AppError(
        'invalid_data',
        `not eligible: ${eligible.reasons.map((r) => r.reasonZh).join('；')}`,
        {
          reason: 'not_eligible',
          reasons: eligible.reasons,
        },
      );
    const id = randomUUID();
    const materials = await Promise.all(
      bundle.materials.map((m) =>
        input.consent ? this.fill(bundle, m.code, input.form, id) : blankMaterial(m),
      ),
    );
    const now = this.deps.clock.now();
    return this.deps.db.transaction().execute(async (trx) => {
      await this.repo.insertApplication(this.db(trx), {
        id,
        bundle_id: bundle.id,
        version: bundle.version,
        applicant_id: principal.id,
        applicant_name: principal.name,
        jurisdiction_path: principal.jurisdictionPath,
        status: 'draft',
        form: JSON.stringify(input.form),
        consent_at: input.consent ? now : null,
        consent_text: input.consent ? CONSENT_TEXT : null,
        materials: JSON.stringify(materials),
        reason: null,
        created_at: now,
        submitted_at: null,
        completed_at: null,
        updated_at: now,
        notify_url: input.notifyUrl ?? null,
      });
      if (within) await within(trx, id);
      const row = await this.repo.application(this.db(trx), id);
      const dto = this.toDto(row as ApplicationRow, []);
      // Last: the audit chain's head stays locked until commit, so it is taken as late as possible.
      await this.audit(trx, principal, 'services.application.created', id, {
        bundle: `${bundle.id}@${bundle.version}`,
        consent: input.consent,
        exchanges: materials.flatMap((m) => (m.exchangeId ? [m.exchangeId] : [])),
      });
      return dto;
    });
  }

  /** Tries a material's catalogue sources in order; the applicant is asked only when none holds it. */
  private async fill(
    bundle: Bundle,
    code: string,
    form: Record<string, unknown>,
    applicationId: string,
  ): Promise<MaterialDto> {
    const m = bundle.materials.find((x) => x.code === code);
    if (!m) throw new AppError('internal', `material ${code} not in ${bundle.id}`);
    const blank = blankMaterial(m);
    if (blank.origin === 'item') return blank;
    const notes: string[] = [];
    for (const s of m.sources) {
      if (s.kind !== 'catalogue') continue;
      const answer = await this.deps.evidence.read({
        resourceId: s.resourceId,
        filters: [
          ...s.match.map((x) => ({ field: x.field, value: String(form[x.formField] ?? '') })),
          ...s.where,
        ],
        fields: s.fields,
        applicationRef: applicationId,
      });
      if (answer.found)
        return {
          ...blank,
          origin: 'shared_data',
          status: 'fetched',
          resourceId: s.resourceId,
          owner: s.owner,
          exchangeId: answer.exchangeId,
          value: answer.row,
          ...(notes.length ? { note: notes.join('; ') } : {}),
        };
      notes.push(`${s.resourceId}: ${answer.reason}`);
    }
    return notes.length ? { ...blank, note: notes.join('; ') } : blank;
  }

  /**
   * The applicant confirms what was filled from shared data (or replaces it with their own) and
   * gives the rest; the application is filed and the first parallel steps open at their desks.
   */
  async submit(principal: Principal, id: string, body: SubmitBody): Promise<ApplicationDto> {
    return this.deps.db.transaction().execute(async (trx) => {
      const app = await this.own(trx, principal, id, true);
      if (app.status !== 'draft')
        throw new AppError('invalid_transition', `application is ${app.status}, not a draft`, {
          status: app.status,
        });
      const bundle = this.bundles.version(app.bundle_id, app.version);
      const known = new Set(app.materials.map((m) => m.code));
      const unknown = [...body.confirm, ...Object.keys(body.provided)].filter((c) => !known.has(c));
      if (unknown.length)
        throw new AppError('invalid_data', `not materials of this application: ${unknown.join(', ')}`, {
          materials: unknown.map((code) => ({ code, rule: 'unknown material' })),
        });
      const confirm = new Set(body.confirm);
      const refused: { code: string; rule: string }[] = [];
      const filled = app.materials.map((m): MaterialDto => {
        const given = body.provided[m.code];
        if (m.status === 'awaiting_item') {
          if (given !== undefined) refused.push({ code: m.code, rule: 'produced by an item, not given' });
          return m;
        }
        if (given !== undefined) {
          const own = { ...m, origin: 'applicant' as const, format: m.format ?? 'file' };
          const problem = materialProblem(own, given);
          if (problem) refused.push({ code: m.code, rule: problem });
          return {
            ...own,
            status: 'provided',
            value: own.format === 'text' ? given : `${given.length} characters`,
          };
        }
        if (m.status === 'fetched' && confirm.has(m.code)) return { ...m, status: 'confirmed' };
        refused.push({
          code: m.code,
          rule: m.status === 'fetched' ? 'confirm the record shown, or give your own' : 'required: give it',
        });
        return m;
      });
      if (refused.length)
        throw new AppError(
          'invalid_data',
          `materials refused: ${refused.map((r) => `${r.code} (${r.rule})`).join('; ')}`,
          { materials: refused },
        );
      const now = this.deps.clock.now();
      const materials = await precheckGiven(this.deps.algorithms, app, principal, filled, body.provided, now);
      await this.repo.updateApplication(this.db(trx), id, {
        status: 'in_progress',
        materials,
        submitted_at: now,
        updated_at: now,
      });
      await this.files.store(trx, id, body.provided, materials, now);
      // Every step in one INSERT, the first wave (no predecessors) already open at its desk.
      const steps = bundle.items.map((i): StepRow => {
        const open = i.after.length === 0;
        return {
          application_id: id,
          item: i.code,
          department: i.department,
          status: open ? 'pending' : 'waiting',
          round: open ? 1 : 0,
          started_at: open ? now : null,
          due_at: open ? this.deps.calendar.addWorkingDays(now, i.timeLimitDays) : null,
          reminded_at: null,
          escalated_at: null,
          decided_by: null,
          decided_at: null,
          decision_reason: null,
        };
      });
      await this.repo.insertSteps(this.db(trx), steps);
      const opened = steps.filter((x) => x.status === 'pending');
      await this.repo.insertTimers(
        this.db(trx),
        opened.flatMap((x) => timersOf(id, x.item, 1, now, x.due_at as Date)),
      );
      await this.notify(trx, [applicantOf(app)], id, {
        code: 'services.accepted',
        params: bundleParams(bundle),
        title: `${bundle.titleZh}：已受理`,
        body: '您的申请已受理，各部门将并联审批。',
      });
      for (const x of opened) await this.noticeOpened(trx, bundle, id, x.item, x.due_at as Date);
      const dto = this.toDto(
        { ...app, status: 'in_progress', materials, submitted_at: now, updated_at: now },
        steps,
      );
      // Last: the audit chain's head stays locked until commit.
      await this.audit(trx, principal, 'services.application.submitted', id, {
        confirmed: body.confirm,
        provided: Object.keys(body.provided),
      });
      return dto;
    });
  }

  /** Opens every step whose predecessors are approved: pending at its desk, due in its working days, with timers. */
  async openReady(trx: Db, bundle: Bundle, id: string): Promise<string[]> {
    const steps = await this.repo.steps(this.db(trx), [id]);
    const ready = readySteps(
      bundle,
      steps.map((s) => ({ item: s.item, status: s.status as 'waiting' })),
    );
    for (const code of ready) {
      const step = steps.find((s) => s.item === code) as StepRow;
      await this.openStep(trx, bundle, id, code, step.round + 1);
    }
    return ready;
  }

  /** Puts one step at its desk (again, after a correction) with its time limit and timers. */
  async openStep(trx: Db, bundle: Bundle, id: string, code: string, round: number): Promise<void> {
    const item = bundle.items.find((i) => i.code === code);
    if (!item) throw new AppError('internal', `item ${code} not in ${bundle.id}`);
    const now = this.deps.clock.now();
    const due = this.deps.calendar.addWorkingDays(now, item.timeLimitDays);
    await this.repo.updateStep(this.db(trx), id, code, {
      status: 'pending',
      round,
      started_at: now,
      due_at: due,
      reminded_at: null,
      escalated_at: null,
      decided_by: null,
      decided_at: null,
      decision_reason: null,
    });
    await this.repo.insertTimers(this.db(trx), timersOf(id, code, round, now, due));
    await this.noticeOpened(trx, bundle, id, code, due);
  }

  /** Tells a department a step reached its desk, and until when. */
  private async noticeOpened(trx: Db, bundle: Bundle, id: string, code: string, due: Date): Promise<void> {
    const item = bundle.items.find((i) => i.code === code);
    if (!item) return;
    await this.notify(trx, [`department:${item.department}`], id, {
      code: 'services.stepOpened',
      params: { ...bundleParams(bundle, item), due: due.toISOString(), days: item.timeLimitDays },
      title: `待办：${bundle.titleZh}·${item.titleZh}`,
      body: `请于 ${due.toISOString()} 前办结（${item.timeLimitDays} 个工作日）。`,
    });
  }

  /** One application, for its applicant, a department with a step in it, or an administrator. */
  async get(principal: Principal, id: string): Promise<ApplicationDto> {
    const app = await this.repo.application(this.db(), id);
    if (!app) throw notFound(id);
    if (app.applicant_id !== principal.id && !principal.roles.includes('admin')) {
      const steps = await this.repo.steps(this.db(), [id]);
      if (!principal.departmentCode || !steps.some((s) => s.department === principal.departmentCode))
        throw notFound(id);
    }
    return this.read(this.deps.db, id);
  }

  /** The applicant's own applications, newest first. */
  async mine(principal: Principal, limit = 50): Promise<ApplicationDto[]> {
    const rows = await this.repo.applicationsOf(this.db(), principal.id, limit);
    const steps = await this.repo.steps(
      this.db(),
      rows.map((r) => r.id),
    );
    return rows.map((r) =>
      this.toDto(
        r,
        steps.filter((s) => s.application_id === r.id),
      ),
    );
  }

  /** The applicant's notices (in-app inbox). */
  async notices(principal: Principal) {
    return this.deps.notifier.inbox([`citizen:${principal.id}`]);
  }

  /** The application locked (or not) if it is the principal's; anyone else → not_found. */
  async own(trx: Db, principal: Principal, id: string, lock = false): Promise<ApplicationRow> {
    const app = await this.repo.application(this.db(trx), id, lock);
    if (!app || app.applicant_id !== principal.id) throw notFound(id);
    return app;
  }

  async read(trx: Db, id: string): Promise<ApplicationDto> {
    const app = await this.repo.application(this.db(trx), id);
    if (!app) throw notFound(id);
    return this.toDto(app, await this.repo.steps(this.db(trx), [id]));
  }

  toDto(app: ApplicationRow, steps: StepRow[]): ApplicationDto {
    const bundle = this.bundles.version(app.bundle_id, app.version);
    const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
    const order = new Map(bundle.items.map((i, n) => [i.code, n]));
    return {
      id: app.id,
      bundleId: app.bundle_id,
      version: app.version,
      applicantId: app.applicant_id,
      status: app.status as ApplicationDto['status'],
      form: app.form,
      consentAt: iso(app.consent_at),
      materials: app.materials,
      steps: [...steps]
        .sort((a, b) => (order.get(a.item) ?? 0) - (order.get(b.item) ?? 0))
        .map((s) => toStepDto(s, bundle.items.find((i) => i.code === s.item)?.titleZh ?? s.item)),
      reason: app.reason,
      createdAt: new Date(app.created_at).toISOString(),
      submittedAt: iso(app.submitted_at),
      completedAt: iso(app.completed_at),
      summary: summarise(
        bundle,
        app.materials,
        app.submitted_at && new Date(app.submitted_at),
        app.completed_at && new Date(app.completed_at),
      ),
    };
  }

  async audit(
    trx: Db,
    principal: Principal,
    action: string,
    id: string,
    details: Record<string, unknown>,
    subjectType = 'service_application',
  ) {
    await this.deps.audit.append(trx, {
      actor: { kind: principal.kind, id: principal.id },
      action,
      subjectType,
      subjectId: id,
      jurisdictionPath: '',
      details,
    });
  }

  /**
   * Sends a notice: `code` and `params` for clients to render in the reader's language
   * (web catalogue `notices.<code>`), `title` and `body` as the Chinese text of channels without
   * a language of their own (webhooks).
   */
  async notify(
    trx: Db,
    recipients: (string | Recipient)[],
    id: string,
    notice: { code: string; params: Record<string, string | number | null>; title: string; body: string },
    subjectType = 'service_application',
  ): Promise<void> {
    await this.deps.notifier.send(
      trx,
      recipients.map((r) => (typeof r === 'string' ? { id: r } : r)),
      { subjectType, subjectId: id, jurisdictionPath: '', ...notice },
    );
  }
}

/** A notice's names of a bundle and, when given, of one of its items, in both languages. */
export function bundleParams(
  bundle: Pick<Bundle, 'id' | 'titleZh' | 'titleEn'>,
  item?: { code: string; titleZh: string; titleEn: string },
): Record<string, string> {
  return {
    bundle: bundle.id,
    bundleZh: bundle.titleZh,
    bundleEn: bundle.titleEn,
    ...(item ? { item: item.code, itemZh: item.titleZh, itemEn: item.titleEn } : {}),
  };
}

/** The applicant as a notice's recipient: in-app, and their webhook when they gave one. */
export function applicantOf(app: Pick<ApplicationRow, 'applicant_id' | 'notify_url'>): Recipient {
  return { id: `citizen:${app.applicant_id}`, webhookUrl: app.notify_url };
}

export function bundleSummary(b: Bundle): BundleSummaryDto {
  const s = summarise(b, b.materials.map(blankMaterial), null, null);
  return {
    id: b.id,
    version: b.version,
    titleZh: b.titleZh,
    titleEn: b.titleEn,
    modelledOn: b.modelledOn,
    items: s.items,
    departments: bundleDepartments(b),
    materials: b.materials.length,
  };
}

export function notFound(id: string): AppError {
  return new AppError('not_found', `application '${id}' not found`, { kind: 'service_application', key: id });
}

/** A step's reminder (at 75 % of its time limit) and escalation (at the limit). */
function timersOf(id: string, item: string, round: number, from: Date, due: Date) {
  const remind = new Date(from.getTime() + (due.getTime() - from.getTime()) * 0.75);
  return [
    { application_id: id, item, round, kind: 'remind', fire_at: remind },
    { application_id: id, item, round, kind: 'escalate', fire_at: due },
  ];
}
