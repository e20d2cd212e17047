import { randomUUID } from 'node:crypto';
import { hasRole, type Principal } from '../../platform/access.ts';
import { AppError } from '../../platform/errors.ts';
import type { Bundle } from './services.bundle.ts';
import { checkEligibility, formProblems } from './services.engine.ts';
import type { ProposalRow } from './services.repository.ts';
import type {
  AcceptProposal,
  ApplicationDto,
  BirthInput,
  CreateApplication,
  ProposalDto,
} from './services.schema.ts';
import { bundleParams, CONSENT_TEXT, type ServicesCore } from './services.service.ts';

/** The bundle a registered birth proposes. */
export const NEWBORN_BUNDLE = 'newborn';

/**
 * Proactive services (主动服务): an event registered by the department that holds it — a birth,
 * by the health department — proposes the bundle it calls for to the citizen concerned, its form
 * pre-filled from the registration. Nothing is read from any department until the parent accepts
 * with consent: accepting starts the application as `apply` does (the records are then read
 * through the gateway and shown to confirm); declining closes the proposal. One proposal per
 * event: registering the same birth again answers the proposal already made.
 */
export class ServicesProposals {
  private readonly core: ServicesCore;

  constructor(core: ServicesCore) {
    this.core = core;
  }

  /** The department that registers births: the one at the newborn bundle's first desk (the birth medical certificate). */
  registrar(bundle: Bundle = this.core.bundles.current(NEWBORN_BUNDLE)): string {
    const first = bundle.items.find((i) => i.after.length === 0);
    if (!first) throw new AppError('internal', `bundle ${bundle.id} has no first item`);
    return first.department;
  }

  /** Registers a birth and proposes the newborn bundle to the parent (201), or answers the proposal made for it (200). */
  async registerBirth(
    principal: Principal,
    input: BirthInput,
  ): Promise<{ created: boolean; proposal: ProposalDto }> {
    const { core } = this;
    const bundle = core.bundles.current(NEWBORN_BUNDLE);
    const registrar = this.registrar(bundle);
    if (
      !principal.roles.includes('admin') &&
      !(hasRole(principal, 'department_liaison') && principal.departmentCode === registrar)
    )
      throw new AppError('forbidden', `births are registered by ${registrar}`, {
        reason: 'wrong_department',
        department: registrar,
      });
    const parent = await core.deps.accounts.byUsername(input.parent.account);
    if (!parent)
      throw new AppError('invalid_data', `no citizen account '${input.parent.account}'`, {
        fields: ['parent.account'],
        reason: 'unknown_account',
      });
    const form = {
      motherIdNumber: input.motherIdNumber,
      fatherIdNumber: input.fatherIdNumber,
      newbornName: input.newbornName,
      birthDate: input.birthDate,
      bornInCity: true,
      relation: input.parent.relation,
    };
    const problems = formProblems(bundle, form);
    const eligible = checkEligibility(bundle, form, core.deps.clock.now());
    if (problems.length || !eligible.eligible)
      throw new AppError(
        'invalid_data',
        `no newborn bundle can be proposed: ${[...problems, ...eligible.reasons.map((r) => r.reasonZh)].join('；')}`,
        { reason: 'not_eligible', fields: problems, reasons: eligible.reasons },
      );
    const now = core.deps.clock.now();
    const id = randomUUID();
    return core.deps.db.transaction().execute(async (trx) => {
      const db = core.db(trx);
      const created = await core.repo.insertProposal(db, {
        id,
        bundle_id: bundle.id,
        trigger: 'birth',
        trigger_ref: input.birthRecordNo,
        parent_id: parent.id,
        form: JSON.stringify(form),
        record: JSON.stringify({ ...input, registeredAt: now.toISOString() }),
        status: 'open',
        application_id: null,
        registered_by: principal.id,
        created_at: now,
        decided_at: null,
        decline_reason: null,
      });
      const row = await core.repo.proposalByTrigger(db, bundle.id, 'birth', input.birthRecordNo);
      if (!row) throw new AppError('internal', 'proposal vanished');
      if (created) {
        await core.notify(
          trx,
          [`citizen:${parent.id}`],
          row.id,
          {
            code: 'services.proposal',
            params: {
              ...bundleParams(bundle),
              hospital: input.hospital,
              newborn: input.newbornName,
              items: bundle.items.length,
            },
            title: `${bundle.titleZh}：可一次办理`,
            body: `${input.hospital}已登记${input.newbornName}的出生信息。您可一次申请出生医学证明、户口登记、医保参保、社保卡等 ${bundle.items.length} 项；同意授权后，各部门已有的材料自动调取，无需重复提交。`,
          },
          'service_proposal',
        );
        await core.audit(
          trx,
          principal,
          'services.proposal.opened',
          row.id,
          { trigger: 'birth', ref: input.birthRecordNo, parent: parent.id },
          'service_proposal',
        );
      }
      return { created, proposal: this.toDto(row, bundle) };
    });
  }

  /** The citizen's proposals, newest first. */
  async mine(principal: Principal, limit = 50): Promise<ProposalDto[]> {
    const rows = await this.core.repo.proposalsOf(this.core.db(), principal.id, limit);
    return rows.map((r) => this.toDto(r));
  }

  /** One of the citizen's proposals. */
  async get(principal: Principal, id: string): Promise<ProposalDto> {
    return this.toDto(await this.own(principal, id));
  }

  /** Accepts a proposal: the application starts (a draft with the departments' records, when consented); again: the same application. */
  async accept(
    principal: Principal,
    id: string,
    body: AcceptProposal,
  ): Promise<{ created: boolean; application: ApplicationDto }> {
    const { core } = this;
    const p = await this.own(principal, id);
    if (p.status === 'accepted' && p.application_id)
      return { created: false, application: await core.read(core.deps.db, p.application_id) };
    if (p.status !== 'open') throw closed(p);
    try {
      const application = await core.apply(
        principal,
        {
          bundleId: p.bundle_id,
          form: p.form as CreateApplication['form'],
          consent: body.consent,
          notifyUrl: body.notifyUrl,
        },
        async (trx, applicationId) => {
          const now = core.deps.clock.now();
          const decided = await core.repo.decideProposal(core.db(trx), id, {
            status: 'accepted',
            application_id: applicationId,
            decided_at: now,
          });
          if (!decided)
            throw new AppError('conflict', 'the proposal was decided meanwhile', { reason: 'decided' });
          await core.audit(
            trx,
            principal,
            'services.proposal.accepted',
            id,
            { application: applicationId },
            'service_proposal',
          );
        },
      );
      return { created: true, application };
    } catch (err) {
      // Accepted twice at once: the other acceptance's application is the answer.
      const now = await core.repo.proposal(core.db(), id);
      if (
        err instanceof AppError &&
        err.code === 'conflict' &&
        now?.status === 'accepted' &&
        now.application_id
      )
        return { created: false, application: await core.read(core.deps.db, now.application_id) };
      if (err instanceof AppError && err.code === 'conflict' && now) throw closed(now);
      throw err;
    }
  }

  /** Declines a proposal (nothing was read; nothing is kept but the registration and the answer). */
  async decline(principal: Principal, id: string, reason?: string): Promise<ProposalDto> {
    const { core } = this;
    await this.own(principal, id);
    return core.deps.db.transaction().execute(async (trx) => {
      const now = core.deps.clock.now();
      const decided = await core.repo.decideProposal(core.db(trx), id, {
        status: 'declined',
        decided_at: now,
        decline_reason: reason ?? null,
      });
      const row = (await core.repo.proposal(core.db(trx), id)) as ProposalRow;
      if (!decided) {
        if (row.status === 'declined') return this.toDto(row);
        throw closed(row);
      }
      await core.audit(
        trx,
        principal,
        'services.proposal.declined',
        id,
        { reason: reason ?? null },
        'service_proposal',
      );
      return this.toDto(row);
    });
  }

  private async own(principal: Principal, id: string): Promise<ProposalRow> {
    const row = await this.core.repo.proposal(this.core.db(), id);
    if (!row || row.parent_id !== principal.id)
      throw new AppError('not_found', `proposal '${id}' not found`, { kind: 'service_proposal', key: id });
    return row;
  }

  private toDto(row: ProposalRow, bundle: Bundle = this.core.bundles.current(row.bundle_id)): ProposalDto {
    const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
    return {
      id: row.id,
      bundleId: row.bundle_id,
      trigger: 'birth',
      triggerRef: row.trigger_ref,
      status: row.status as ProposalDto['status'],
      form: row.form,
      record: row.record,
      materials: bundle.materials.map((m) => {
        const holders = m.sources.flatMap((s) => (s.kind === 'catalogue' ? [s.owner] : []));
        const fromItem = m.sources.some((s) => s.kind === 'item');
        return {
          code: m.code,
          titleZh: m.titleZh,
          from: fromItem ? 'item' : holders.length ? 'departments' : 'you',
          holders: [...new Set(holders)],
        };
      }),
      consentText: CONSENT_TEXT,
      applicationId: row.application_id,
      createdAt: new Date(row.created_at).toISOString(),
      decidedAt: iso(row.decided_at),
      declineReason: row.decline_reason,
    };
  }
}

function closed(p: ProposalRow): AppError {
  return new AppError('invalid_transition', `the proposal is ${p.status}`, { status: p.status });
}
