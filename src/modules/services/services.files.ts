import { createHash } from 'node:crypto';
import { type ColumnType, type Kysely, sql } from 'kysely';
import { canSee, hasRole, type Principal } from '../../platform/access.ts';
import { type Db, forTables } from '../../platform/db/database.ts';
import type { Migrations } from '../../platform/db/migrate.ts';
import { AppError } from '../../platform/errors.ts';
import { ROLE_GROUPS } from '../../platform/roles.ts';
import type { AuditLog } from '../audit/index.ts';
import type { Bundle } from './services.bundle.ts';
import type { ServicesRepository } from './services.repository.ts';
import type { MaterialDto } from './services.schema.ts';
import type { ServicesTables } from './services.tables.ts';

/**
 * The files applicants upload for their materials (a photo, articles of association), kept with
 * the application so the desks that decide on them can open them. In the database (bytea, at most
 * 2 MB each, checked when given): written in the transaction that files the application or its
 * correction, so a file and the material that names it come and go together.
 */
export interface MaterialFileTables {
  sv_material_file: {
    application_id: string;
    code: string;
    /** The type recognised from the bytes (PNG, JPEG, PDF), or application/octet-stream. */
    content_type: string;
    /** The type the applicant's data URL declared. */
    declared_type: string;
    sha256: string;
    size: number;
    bytes: Uint8Array;
    uploaded_at: ColumnType<Date, Date, Date>;
  };
}

/** The sv_material_file table: one file per material of an application (a correction replaces it). */
export const materialFileMigrations: Migrations = {
  '202612072300_services_material_files': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sv_material_file')
        .addColumn('application_id', 'text', (c) => c.notNull())
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('declared_type', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull().check(sql`size >= 0`))
        .addColumn('bytes', 'bytea', (c) => c.notNull())
        .addColumn('uploaded_at', 'timestamptz', (c) => c.notNull())
        .addPrimaryKeyConstraint('sv_material_file_pk', ['application_id', 'code'])
        .execute();
    },
  },
};

/** What the files need of the services core (declared here, so the core holds them without an import circle). */
export interface MaterialFilesCore {
  readonly deps: { readonly db: Db; readonly audit: AuditLog };
  readonly repo: ServicesRepository;
  readonly bundles: { version(id: string, version: number): Bundle };
}

/** A material's file as the desk downloads it. */
export interface MaterialFile {
  code: string;
  contentType: string;
  sha256: string;
  bytes: Uint8Array;
  /** A suggested file name: the material's code and the type's extension. */
  filename: string;
}

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'application/pdf': 'pdf',
  'application/octet-stream': 'bin',
};

/** The type the bytes are (PNG, JPEG, PDF), whatever the data URL said; anything else is opaque bytes. */
export function sniffMaterial(b: Uint8Array): string {
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (Buffer.from(b.subarray(0, 5)).toString('latin1') === '%PDF-') return 'application/pdf';
  return 'application/octet-stream';
}

/** The applicants' uploaded files: stored with a filing or a correction, opened by the desks that may. */
export class MaterialFiles {
  private readonly core: MaterialFilesCore;

  constructor(core: MaterialFilesCore) {
    this.core = core;
  }

  private db(trx: Db = this.core.deps.db) {
    return forTables<MaterialFileTables & ServicesTables>(trx);
  }

  /**
   * Keeps the files among the values given (materials in `file` format given as data URLs,
   * already checked), replacing an earlier file of the same material. Runs in the caller's transaction.
   */
  async store(
    trx: Db,
    applicationId: string,
    given: Record<string, string>,
    materials: MaterialDto[],
    now: Date,
  ) {
    for (const m of materials) {
      const value = given[m.code];
      if (value === undefined || m.origin !== 'applicant' || (m.format ?? 'file') !== 'file') continue;
      const match = /^data:([\w.+-]+\/[\w.+-]+);base64,([A-Za-z0-9+/]+=*)$/.exec(value);
      if (!match) continue;
      const bytes = Buffer.from(match[2] ?? '', 'base64');
      const row = {
        content_type: sniffMaterial(bytes),
        declared_type: match[1] ?? 'application/octet-stream',
        sha256: createHash('sha256').update(bytes).digest('hex'),
        size: bytes.length,
        bytes,
        uploaded_at: now,
      };
      await this.db(trx)
        .insertInto('sv_material_file')
        .values({ application_id: applicationId, code: m.code, ...row })
        .onConflict((oc) => oc.columns(['application_id', 'code']).doUpdateSet(row))
        .execute();
    }
  }

  /**
   * A material's file, for a desk of an item that needs the material (once its step has opened),
   * the applicant, an administrator, or an operator or auditor whose area holds the application.
   * Anyone else — another department included — is told it does not exist (404), as for the other
   * desk reads. Every read by someone other than the applicant is audited.
   */
  async open(principal: Principal, applicationId: string, code: string): Promise<MaterialFile> {
    const missing = new AppError(
      'not_found',
      `material file '${code}' of application '${applicationId}' not found`,
      {
        kind: 'service_material_file',
        key: `${applicationId}/${code}`,
      },
    );
    const app = await this.core.repo.application(this.db(), applicationId);
    if (!app) throw missing;
    const own = app.applicant_id === principal.id;
    if (!own && !(await this.deskMay(principal, app, code))) {
      const oversight =
        hasRole(principal, ...ROLE_GROUPS.oversight) && canSee(principal, app.jurisdiction_path);
      if (!oversight) throw missing;
    }
    const file = await this.db()
      .selectFrom('sv_material_file')
      .selectAll()
      .where('application_id', '=', applicationId)
      .where('code', '=', code)
      .executeTakeFirst();
    if (!file) throw missing;
    if (!own)
      await this.core.deps.audit.record(this.core.deps.db, {
        actor: { kind: principal.kind, id: principal.id },
        action: 'services.material.opened',
        subjectType: 'service_application',
        subjectId: applicationId,
        details: { material: code, sha256: file.sha256, department: principal.departmentCode },
      });
    return {
      code,
      contentType: file.content_type,
      sha256: file.sha256,
      bytes: file.bytes,
      filename: `${code}.${EXTENSIONS[file.content_type] ?? 'bin'}`,
    };
  }

  /** A liaison of a department whose item needs the material and whose step has opened. */
  private async deskMay(
    principal: Principal,
    app: { id: string; bundle_id: string; version: number },
    code: string,
  ): Promise<boolean> {
    if (!principal.roles.includes('department_liaison') || !principal.departmentCode) return false;
    const bundle = this.core.bundles.version(app.bundle_id, app.version);
    const items = new Set(
      bundle.items
        .filter((i) => i.department === principal.departmentCode && i.needs.includes(code))
        .map((i) => i.code),
    );
    if (!items.size) return false;
    const steps = await this.core.repo.steps(this.db(), [app.id]);
    return steps.some((s) => items.has(s.item) && s.started_at !== null);
  }
}
