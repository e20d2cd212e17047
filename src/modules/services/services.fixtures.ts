import type { Principal } from '../../platform/access.ts';
import type { ApplicantDirectory, EvidenceSource } from './services.deps.ts';

/** A citizen: an authenticated user without roles. */
export function citizen(id: string): Principal {
  return {
    kind: 'user',
    id,
    name: id,
    roles: [],
    jurisdictionCode: '50',
    jurisdictionPath: '50',
    departmentCode: null,
  };
}

/** A liaison of a city department (the desk's user). */
export function liaison(department: string): Principal {
  return {
    kind: 'user',
    id: `liaison-${department}`,
    name: department,
    roles: ['department_liaison'],
    jurisdictionCode: '50',
    jurisdictionPath: '50',
    departmentCode: department,
  };
}

/** A PNG as a data: URL (the applicant's photo). */
export const PNG_DATA_URL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFAAIBoeHysQAAAABJRU5ErkJggg==';

/** A PNG's signature and IHDR of the given size, padded to `bytes` (all the material pre-check reads). */
export function pngHeader(width: number, height: number, bytes = 33): Uint8Array {
  const b = Buffer.alloc(Math.max(33, bytes));
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).copy(b, 0);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return b;
}

/** A photo the pre-check passes for the newborn's social security card (400 × 500 pixels, 5 KB). */
export const GOOD_PHOTO_DATA_URL = `data:image/png;base64,${Buffer.from(pngHeader(400, 500, 5_000)).toString('base64')}`;

/** The newborn family of the demo: the form a parent fills. */
export function newbornForm(now: Date): Record<string, string | boolean> {
  return {
    motherIdNumber: '500103199203150028',
    fatherIdNumber: '500103199011080015',
    newbornName: '陈语桐',
    birthDate: new Date(now.getTime() - 2 * 86_400_000).toISOString().slice(0, 10),
    bornInCity: true,
    relation: 'mother',
  };
}

/**
 * Departments' records in memory, answering as the gateway would (every read numbered like an
 * exchange); resources listed in `holds` answer the first row whose filters all match.
 */
export function memoryEvidence(
  holds: Record<string, Record<string, unknown>[]>,
): EvidenceSource & { reads: number } {
  const source = {
    reads: 0,
    async read(request: Parameters<EvidenceSource['read']>[0]) {
      source.reads++;
      const exchangeId = `x-${source.reads}`;
      const rows = holds[request.resourceId];
      if (!rows) return { found: false as const, exchangeId, reason: 'not_found: unknown resource' };
      const row = rows.find((r) => request.filters.every((f) => String(r[f.field]) === String(f.value)));
      if (!row) return { found: false as const, exchangeId, reason: 'no record held' };
      return {
        found: true as const,
        exchangeId,
        row: Object.fromEntries(request.fields.map((f) => [f, row[f] ?? null])),
      };
    },
  };
  return source;
}

const MOTHER = '500103199203150028';
const FATHER = '500103199011080015';
/** The newborn family's records (the demo CSV files hold the same). */
export const NEWBORN_RECORDS: Record<string, Record<string, unknown>[]> = {
  'demo-bd-e-licences': [
    { licence_no: 'L1', licence_type: '居民身份证', holder_name: '刘晓雯', holder_id: MOTHER },
    { licence_no: 'L2', licence_type: '居民身份证', holder_name: '陈立新', holder_id: FATHER },
  ],
  'demo-ps-household': [
    { household_no: 'H1', person_id: MOTHER },
    { household_no: 'H2', person_id: FATHER },
  ],
  'demo-ca-marriage': [{ cert_no: 'J1', wife_id: MOTHER, husband_id: FATHER }],
  'demo-hc-births': [{ record_no: 'B1', mother_id: MOTHER, birth_registration_no: 'S1' }],
  'demo-pnr-property': [{ cert_no: 'P1', owner_id: FATHER }],
  'demo-hcs-rental': [],
  'demo-hrss-insured': [{ person_id: MOTHER, insurance: '生育保险' }],
};

/** The seed the tests' certificate key is derived from. */
export const TEST_SIGNING_SEED = new Uint8Array(32).fill(42);

/** Citizens' accounts by username (the username is the user id here). */
export function memoryAccounts(usernames: string[]): ApplicantDirectory {
  return {
    byUsername: async (u) => (usernames.includes(u) ? { id: u, name: u } : undefined),
  };
}
