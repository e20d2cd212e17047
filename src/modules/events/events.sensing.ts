import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { AppError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { IntakeResult } from './events.schema.ts';
import type { EventService } from './events.service.ts';
import { type SensingAlert, SensingAlertSchema } from './events.subjects.ts';

const SEVERITY_PRIORITY: Record<string, 'low' | 'normal' | 'high' | 'urgent'> = {
  informational: 'low',
  low: 'low',
  medium: 'normal',
  high: 'high',
  critical: 'urgent',
};

/**
 * Turns a `sensing.alert.raised` payload into an event. Idempotent: the alert id is the event's
 * external reference, so a redelivered alert returns the event already made. An alert outside the
 * city or otherwise unusable is logged and dropped (a retry would not help); other errors throw
 * so the bus retries.
 */
export async function intakeAlert(
  events: EventService,
  logger: Logger,
  payload: unknown,
  isCategory: (code: string) => Promise<boolean>,
): Promise<IntakeResult | null> {
  const parsed = SensingAlertSchema.safeParse(payload);
  if (!parsed.success) {
    logger.warn(
      { issues: parsed.error.issues },
      'sensing alert ignored: not the shape the event centre accepts',
    );
    return null;
  }
  const alert: SensingAlert = parsed.data;
  const location = alert.location ?? { lon: alert.lon as number, lat: alert.lat as number };
  let category: string | undefined;
  for (const hint of [alert.categoryHint, alert.subCategory, alert.category]) {
    if (hint && (await isCategory(hint))) {
      category = hint;
      break;
    }
  }
  const where = alert.alertSource ? `【${alert.alertSource}】` : '';
  try {
    return await events.intake(SYSTEM_PRINCIPAL, 'sensor_alert', {
      description: `${where}${alert.description}`.slice(0, 4000),
      location,
      ...(category ? { category } : {}),
      externalRef: alert.id,
      priority: SEVERITY_PRIORITY[alert.severity ?? ''] ?? undefined,
      reporter: { deviceId: alert.alertSource ?? alert.ruleId },
    });
  } catch (err) {
    if (err instanceof AppError && err.status < 500) {
      logger.warn(
        { alertId: alert.id, code: err.code, message: err.message },
        'sensing alert not turned into an event',
      );
      return null;
    }
    throw err;
  }
}
