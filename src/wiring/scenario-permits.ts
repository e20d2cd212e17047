import { type Consumer, ConsumerService, type ExchangeGateway } from '../modules/datahub/index.ts';
import type { PermitInfo, PermitLookup } from '../modules/scenarios/index.ts';
import { SYSTEM_PRINCIPAL } from '../platform/access.ts';
import { AppError } from '../platform/errors.ts';

/** The catalogue resource of the ecology bureau's discharge permits (the demo registers it: src/demo/datahub-demo.ts). */
export const DISCHARGE_PERMITS_RESOURCE = 'demo-ee-discharge-permits';

/** The department application the water plans read permits as: the water bureau's river-chief tracing. */
export const PERMITS_CONSUMER = {
  name: '巴渝治水 溯源排查（平台）',
  departmentCode: '50:water_resources',
} as const;

const FIELDS = [
  'permit_no',
  'enterprise',
  'river',
  'cod_limit_mg_l',
  'nh3n_limit_mg_l',
  'valid_until',
  'contact_person',
  'contact_phone',
];
const LIMITS: [field: string, pollutant: string][] = [
  ['cod_limit_mg_l', 'COD'],
  ['nh3n_limit_mg_l', 'NH3-N'],
];

/**
 * The scenarios' permit lookup over the exchange gateway, in-process: each read is an exchange of
 * the water bureau's application (registered on first use, then found by name), with the plan's
 * purpose — authenticated as that consumer, decided by the negative list, masked and logged.
 * A refusal, an application waiting for the owner, or an unreachable source is an error whose
 * message says why (the plan keeps it as the reason the permits are missing).
 */
export function gatewayPermitLookup(
  gateway: ExchangeGateway,
  options: { resourceId?: string; consumer?: { name: string; departmentCode: string } } = {},
): PermitLookup {
  const resourceId = options.resourceId ?? DISCHARGE_PERMITS_RESOURCE;
  let consumer: Promise<Consumer> | undefined;
  const asConsumer = () => {
    consumer ??= gateway.consumers
      .ensure(SYSTEM_PRINCIPAL, options.consumer ?? PERMITS_CONSUMER)
      .catch((err: unknown) => {
        consumer = undefined;
        throw err;
      });
    return consumer;
  };
  return async (names, purpose) => {
    try {
      const principal = ConsumerService.asPrincipal(await asConsumer());
      const answer = await gateway.exchange(principal, {
        resourceId,
        purpose,
        filters: [{ field: 'enterprise', op: 'in', values: names }],
        fields: FIELDS,
        limit: 100,
      });
      if (answer.status === 202)
        throw new Error(
          `the owner department must approve first (application ${answer.body.application.id}, list entries ${answer.body.decision.entries.map((e) => e.id).join(', ')})`,
        );
      const { exchangeId, rows } = answer.body;
      return rows.map((row) => toPermit(row, exchangeId));
    } catch (err) {
      throw new Error(reason(err), { cause: err });
    }
  };
}

function toPermit(row: Record<string, unknown>, exchangeId: string): PermitInfo {
  const text = (v: unknown) => (v === null || v === undefined || v === '' ? null : String(v));
  return {
    enterprise: String(row.enterprise ?? ''),
    permitNo: String(row.permit_no ?? ''),
    validUntil: row.valid_until instanceof Date ? localDate(row.valid_until) : text(row.valid_until),
    river: text(row.river),
    limits: LIMITS.flatMap(([field, pollutant]) =>
      row[field] === null || row[field] === undefined ? [] : [{ pollutant, limitMgL: Number(row[field]) }],
    ),
    contact: { person: text(row.contact_person), phone: text(row.contact_phone) },
    exchangeId,
  };
}

/** A DATE column as the driver gives it: midnight local time. */
function localDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Why the gateway did not serve the permits, citing the list entries and their bases on a refusal. */
function reason(err: unknown): string {
  if (!(err instanceof AppError)) return err instanceof Error ? err.message : String(err);
  const details = err.details as { entries?: { id: string; basis: string }[] } | undefined;
  if (err.code === 'forbidden' && details?.entries?.length)
    return `denied by the data-sharing negative list: ${details.entries.map((e) => `${e.id} (${e.basis})`).join('; ')}`;
  return `${err.code}: ${err.message}`;
}
