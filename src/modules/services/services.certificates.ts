import type { Kysely } from 'kysely';
import type { Principal } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import { type Ed25519Key, ed25519Jwk, signJws, verifyJws } from '../../platform/signing.ts';
import type { Bundle } from './services.bundle.ts';
import { renderPdf } from './services.pdf.ts';
import type { ApplicationRow, CertificateRow, ServicesRepository, StepRow } from './services.repository.ts';
import {
  type CertificateClaims,
  CertificateClaimsSchema,
  type CertificateDto,
  type CertificateStatusDto,
  type CertificateVerifyDto,
} from './services.schema.ts';
import type { ServicesTables } from './services.tables.ts';

/**
 * What certificates need of the services core (declared here, so the core can hold its
 * certificates without an import circle): the store, the clock, and the applicant's access check.
 */
export interface CertificatesCore {
  readonly deps: {
    readonly clock: Clock;
    readonly departmentName?: (code: string) => Promise<string | undefined>;
  };
  readonly repo: ServicesRepository;
  readonly bundles: { find(id: string, version: number): Bundle | undefined };
  db(trx?: Db): Kysely<ServicesTables>;
  get(principal: Principal, id: string): Promise<unknown>;
}

/** The JWS `typ` of a certificate's QR text. */
export const CERTIFICATE_TYP = 'citybrain-certificate+jws';
/** The label the certificate key is derived under (one seed, one key per purpose). */
export const CERTIFICATE_KEY_LABEL = 'citybrain-services-certificate-key-v1';
export { PDF_QR_ENTRY } from './services.pdf.ts';

/** Form fields that name whom a certificate is about when it is not the applicant, first present wins. */
const SUBJECT_FIELDS = ['newbornName', 'enterpriseName', 'enterpriseUscc'];

const dateIn = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(d);

/**
 * Electronic certificates (电子证照) of a completed application: one per item, its output as
 * claims (number, item, holder, issuing department, dates) signed with the platform's Ed25519 key
 * as a compact JWS — the QR code's text, so anyone checks a certificate from the QR alone against
 * the published key (JWKS). The PDF is drawn on download from the stored claims.
 */
export class ServicesCertificates {
  private readonly core: CertificatesCore;
  private readonly key: Ed25519Key;

  constructor(core: CertificatesCore, key: Ed25519Key) {
    this.core = core;
    this.key = key;
  }

  /** The signing key as a JWKS (RFC 7517). */
  jwks(): { keys: Record<string, string>[] } {
    return { keys: [ed25519Jwk(this.key)] };
  }

  /** Issues one certificate per approved item, in the transaction that completes the application. */
  async issue(trx: Db, app: ApplicationRow, bundle: Bundle, steps: StepRow[], now: Date): Promise<number> {
    const db = this.core.db(trx);
    const form = app.form as Record<string, unknown>;
    const subjectField = SUBJECT_FIELDS.find((f) => typeof form[f] === 'string' && form[f]);
    const rows = [];
    for (const item of bundle.items) {
      const step = steps.find((s) => s.item === item.code);
      if (step?.status !== 'approved') continue;
      const id = await this.core.repo.nextCertificateId(db);
      const number = `SV-${dateIn(now).replaceAll('-', '')}-${String(id).padStart(6, '0')}`;
      const claims: CertificateClaims = {
        v: 1,
        number,
        bundle: `${bundle.id}@${bundle.version}`,
        application: app.id,
        item: item.code,
        title: item.output.titleZh,
        titleEn: item.output.titleEn,
        holder: { id: app.applicant_id, name: app.applicant_name },
        subject: subjectField ? String(form[subjectField]) : null,
        issuer: step.department,
        issuedAt: now.toISOString(),
        validFrom: dateIn(step.decided_at ? new Date(step.decided_at) : now),
        validUntil: null,
      };
      rows.push({
        id,
        number,
        application_id: app.id,
        item: item.code,
        holder_id: app.applicant_id,
        claims: JSON.stringify(claims),
        jws: signJws(claims, this.key, CERTIFICATE_TYP),
        kid: this.key.kid,
        issued_at: now,
      });
    }
    await this.core.repo.insertCertificates(db, rows);
    return rows.length;
  }

  /** An application's certificates, for whoever may read the application. */
  async list(principal: Principal, applicationId: string): Promise<CertificateDto[]> {
    await this.core.get(principal, applicationId);
    const rows = await this.core.repo.certificatesOf(this.core.db(), applicationId);
    return rows.map((r) => ({
      number: r.number,
      item: r.item,
      issuedAt: new Date(r.issued_at).toISOString(),
      claims: claimsOf(r),
      qr: r.jws,
      pdf: `/api/v1/services/applications/${applicationId}/certificates/${r.number}.pdf`,
    }));
  }

  /** The PDF of one certificate of an application, for whoever may read the application. */
  async pdf(principal: Principal, applicationId: string, number: string): Promise<Uint8Array> {
    await this.core.get(principal, applicationId);
    const row = await this.core.repo.certificate(this.core.db(), number);
    if (!row || row.application_id !== applicationId) throw unknownCertificate(number);
    const claims = claimsOf(row);
    const [id, version] = claims.bundle.split('@');
    const bundle = this.core.bundles.find(id ?? '', Number(version));
    const item = bundle?.items.find((i) => i.code === claims.item);
    return renderPdf(claims, row.jws, {
      itemZh: item?.titleZh,
      itemEn: item?.titleEn,
      bundleZh: bundle?.titleZh,
      issuerZh: await this.core.deps.departmentName?.(claims.issuer),
    });
  }

  /** Checks a QR text: signature under a published key, issued under its number exactly, not expired. */
  async verify(qr: string): Promise<CertificateVerifyDto> {
    const checked = verifyJws(
      qr,
      (kid) => (kid === this.key.kid ? this.key.publicKey : undefined),
      CERTIFICATE_TYP,
    );
    if (!checked.valid) return { valid: false, reason: checked.reason, claims: null };
    const parsed = CertificateClaimsSchema.safeParse(checked.payload);
    if (!parsed.success) return { valid: false, reason: 'malformed', claims: null };
    const claims = parsed.data;
    const row = await this.core.repo.certificate(this.core.db(), claims.number);
    if (!row) return { valid: false, reason: 'unknown_certificate', claims };
    if (row.jws !== qr.trim()) return { valid: false, reason: 'not_as_issued', claims };
    if (claims.validUntil && claims.validUntil < dateIn(this.core.deps.clock.now()))
      return { valid: false, reason: 'expired', claims };
    return { valid: true, reason: 'ok', claims };
  }

  /** A certificate's status by its number (public: nothing personal but the holder's masked name). */
  async status(number: string): Promise<CertificateStatusDto> {
    const row = await this.core.repo.certificate(this.core.db(), number);
    if (!row) throw unknownCertificate(number);
    const c = claimsOf(row);
    const expired = c.validUntil !== null && c.validUntil < dateIn(this.core.deps.clock.now());
    return {
      number: c.number,
      valid: !expired,
      status: expired ? 'expired' : 'valid',
      item: c.item,
      title: c.title,
      issuer: c.issuer,
      issuedAt: c.issuedAt,
      validUntil: c.validUntil,
      holder: maskName(c.holder.name),
    };
  }
}

function claimsOf(row: CertificateRow): CertificateClaims {
  return CertificateClaimsSchema.parse(typeof row.claims === 'string' ? JSON.parse(row.claims) : row.claims);
}

function unknownCertificate(number: string): AppError {
  return new AppError('not_found', `certificate '${number}' not found`, { kind: 'certificate', key: number });
}

/** 刘晓雯 → 刘*雯, 陈立 → 陈*: enough to match the person in front of you, not to find them. */
export function maskName(name: string): string {
  const chars = [...name.replace(/（.*）$/, '')];
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars.at(-1)}`;
}
