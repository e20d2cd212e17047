import { gzipSync } from 'fflate';
import { type Principal, ROLE_GROUPS, requireRole } from '../../platform/access.ts';
import { forTables } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import { issueCode, publicJwk, type SigningKey, signingKeyFrom, verifyCode } from './codes.cose.ts';
import type { EnforcementDeps } from './enforcement.deps.ts';
import type { CodeVerifyDto } from './enforcement.schema.ts';
import type { EnforcementTables } from './enforcement.tables.ts';
import { RecordsRepository } from './records.repository.ts';
import { RegisterService } from './register.service.ts';

const DAY = 86_400_000;

/** 执法码 and 企业码: issue the current code, verify (signature, expiry, status list), revoke, publish keys and the status list. */
export class CodeService {
  private readonly repo = new RecordsRepository();
  private readonly deps: EnforcementDeps;
  private readonly register: RegisterService;
  readonly key: SigningKey;
  private readonly kidHex: string;
  constructor(deps: EnforcementDeps, register: RegisterService) {
    this.deps = deps;
    this.register = register;
    this.key = signingKeyFrom(deps.signingSeed);
    this.kidHex = Buffer.from(this.key.kid).toString('hex');
  }

  private get db() {
    return forTables<EnforcementTables>(this.deps.db);
  }

  /** The signing keys as a JWKS (RFC 7517). */
  jwks(): { keys: Record<string, string>[] } {
    return { keys: [publicJwk(this.key)] };
  }

  /** The inspector's current code (the inspector, or operators), issued when none is live for another hour. */
  async inspectorCode(principal: Principal, id: string) {
    const inspector = await this.register.inspector(principal, id);
    if (!RegisterService.actsFor(principal, inspector))
      throw new AppError('forbidden', 'only the inspector or an operator reads an inspector code', {
        inspector: id,
      });
    return this.current(
      'inspector',
      id,
      `${inspector.districtCode}:${inspector.department}`,
      inspector.jurisdictionPath,
    );
  }

  /** The enterprise's current code (operators and department liaisons; a deployment hands it to the enterprise). */
  async enterpriseCode(principal: Principal, creditCode: string) {
    requireRole(principal, ...ROLE_GROUPS.responders);
    const enterprise = await this.register.getPlaced(principal, creditCode);
    return this.current('enterprise', creditCode, enterprise.riskClass, enterprise.jurisdictionPath);
  }

  private async current(kind: 'inspector' | 'enterprise', subject: string, role: string, path: string) {
    const now = this.deps.clock.now();
    const live = await this.repo.liveCode(this.db, kind, subject, new Date(now.getTime() + 3600_000));
    if (live?.qr)
      return { qr: live.qr, statusIndex: live.status_index, expiresAt: live.expires_at.toISOString() };
    const days = this.deps.codeDays ?? { inspector: 30, enterprise: 365 };
    const expires = new Date(now.getTime() + days[kind] * DAY);
    return this.db.transaction().execute(async (trx) => {
      const status = await this.repo.reserveCode(trx, kind, subject, now, expires);
      const qr = issueCode(
        {
          iss: this.deps.issuer,
          sub: subject,
          kind,
          role,
          status,
          iat: Math.floor(now.getTime() / 1000),
          exp: Math.floor(expires.getTime() / 1000),
        },
        this.key,
      );
      await this.repo.setCodeText(trx, status, qr);
      await this.deps.audit.append(trx, {
        actor: { kind: 'system', id: 'enforcement' },
        action: 'enforcement.code.issued',
        subjectType: kind,
        subjectId: subject,
        jurisdictionPath: path,
        details: { statusIndex: status, expiresAt: expires.toISOString() },
      });
      return { qr, statusIndex: status, expiresAt: expires.toISOString() };
    });
  }

  /** Verifies a QR text as the field app does offline, against this issuer's keys and the current status list. */
  async verify(qr: string): Promise<CodeVerifyDto> {
    const { revoked } = await this.repo.statusList(this.db);
    const set = new Set(revoked);
    const check = verifyCode(qr, {
      keys: (kid) => (kid === this.kidHex ? this.key.publicKey : undefined),
      nowSeconds: Math.floor(this.deps.clock.now().getTime() / 1000),
      isRevoked: (i) => set.has(i),
    });
    if (!check.valid)
      return {
        valid: false,
        reason: check.reason,
        kind: null,
        subject: null,
        role: null,
        expiresAt: null,
        statusIndex: null,
      };
    const c = check.claims;
    return {
      valid: true,
      reason: 'ok',
      kind: c.kind,
      subject: c.sub,
      role: c.role,
      expiresAt: new Date(c.exp * 1000).toISOString(),
      statusIndex: c.status,
    };
  }

  /** Revokes a code by its status index (operators; the holder's next request gets a new code). */
  async revoke(
    principal: Principal,
    statusIndex: number,
    reason: string,
  ): Promise<{ statusIndex: number; revoked: true }> {
    requireRole(principal, ...ROLE_GROUPS.operators);
    const code = await this.repo.code(this.db, statusIndex);
    if (!code)
      throw new AppError('not_found', `code ${statusIndex} not found`, { kind: 'code', key: statusIndex });
    // Both lookups answer not_found outside the caller's jurisdiction.
    const holder =
      code.kind === 'inspector'
        ? await this.register.inspector(principal, code.subject)
        : await this.register.getPlaced(principal, code.subject);
    await this.db.transaction().execute(async (trx) => {
      await this.repo.revokeCode(trx, statusIndex, reason, this.deps.clock.now());
      await this.deps.audit.append(trx, {
        actor: principal,
        action: 'enforcement.code.revoked',
        subjectType: code.kind,
        subjectId: code.subject,
        jurisdictionPath: holder.jurisdictionPath,
        details: { statusIndex, reason },
      });
    });
    return { statusIndex, revoked: true };
  }

  /** The revocation status list (W3C Bitstring Status List style) the field app caches. */
  async statusList() {
    const { revoked, size } = await this.repo.statusList(this.db);
    // At least 16 KB, as the W3C recommends, so the list's length does not reveal how many codes exist.
    const bits = new Uint8Array(Math.max(16_384, Math.ceil(size / 8)));
    for (const i of revoked) bits[i >> 3] = (bits[i >> 3] as number) | (0x80 >> (i & 7));
    return {
      encodedList: Buffer.from(gzipSync(bits)).toString('base64url'),
      size,
      revoked: revoked.length,
      updatedAt: this.deps.clock.now().toISOString(),
    };
  }
}
