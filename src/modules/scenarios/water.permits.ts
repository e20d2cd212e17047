import type { Logger } from '../../platform/logger.ts';

/** One discharge permit of a suspect, as the owner department's data shared it (personal fields masked). */
export interface PermitInfo {
  enterprise: string;
  permitNo: string;
  validUntil: string | null;
  river: string | null;
  /** Permitted concentrations at the outfall, mg/L. */
  limits: { pollutant: string; limitMgL: number }[];
  /** The contact as shared: masked when it crossed a department boundary. */
  contact: { person: string | null; phone: string | null };
  /** The exchange-log record of the read. */
  exchangeId: string;
}

/**
 * Reads the discharge permits of named enterprises for a stated purpose (the app wires it to the
 * data hub's exchange gateway as a department application, so every read is decided and logged).
 * Throws when the read is refused or the source is down; the message says why.
 */
export type PermitLookup = (names: string[], purpose: string) => Promise<PermitInfo[]>;

/** What a plan keeps of the suspects' permits, and the lines its task instructions show. */
export interface SuspectPermits {
  permits: PermitInfo[];
  /** Why permits are missing (the read failed or found none for some suspects); absent when all were read. */
  permitsReason?: string;
  permitLines: string;
}

/** The suspects' permits for a plan; never throws — a refusal or an outage becomes the reason. */
export async function suspectPermits(
  lookup: PermitLookup | undefined,
  names: string[],
  purpose: string,
  logger: Logger,
): Promise<SuspectPermits> {
  if (!names.length) return { permits: [], permitLines: '无疑似源' };
  if (!lookup) return missing('no data exchange is configured for discharge permits');
  try {
    const permits = (await lookup(names, purpose)).filter((p) => names.includes(p.enterprise));
    const lacking = names.filter((n) => !permits.some((p) => p.enterprise === n));
    const lines = permits.map(permitLine);
    if (lacking.length) lines.push(`${lacking.join('、')}：未查到排污许可`);
    return {
      permits,
      ...(lacking.length ? { permitsReason: `no discharge permit on record for ${lacking.join(', ')}` } : {}),
      permitLines: lines.join('；'),
    };
  } catch (err) {
    logger.warn({ err, purpose }, 'suspects’ discharge permits not read');
    return missing(err instanceof Error ? err.message : String(err));
  }
}

function missing(reason: string): SuspectPermits {
  return { permits: [], permitsReason: reason, permitLines: `未取得（${reason}）` };
}

function permitLine(p: PermitInfo): string {
  const limits = p.limits.map((l) => `${l.pollutant} ≤ ${l.limitMgL} mg/L`).join('、');
  const contact = [p.contact.person, p.contact.phone].filter(Boolean).join(' ');
  return `${p.enterprise} 许可证 ${p.permitNo}（有效期至 ${p.validUntil ?? '—'}；${limits || '无限值'}${contact ? `；联系人 ${contact}` : ''}）`;
}
