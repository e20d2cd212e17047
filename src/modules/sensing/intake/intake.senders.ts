import { hasRole, type Principal } from '../../../platform/access.ts';
import { AppError } from '../../../platform/errors.ts';
import type { SensingService } from '../sensing.service.ts';
import type { RawObservation } from './intake.service.ts';

/**
 * Who may send a batch of observations over HTTP, and as which device each item counts: a
 * device by its id and secret (only its own items), or an admin API key (items name their
 * device). POST /api/v1/observations is declared public because this check replaces the usual
 * one: 401 without either credential, 403 for a device speaking for another or any other caller.
 */
export async function batchOf(
  sensing: SensingService,
  headers: { 'x-device-id'?: string; 'x-device-secret'?: string },
  principal: Principal | undefined,
  items: Record<string, unknown>[],
): Promise<RawObservation[]> {
  const receivedAt = sensing.now();
  const deviceId = headers['x-device-id'];
  if (deviceId !== undefined) {
    const secret = headers['x-device-secret'] ?? '';
    if (!(await sensing.devices.verifyDeviceCredential(deviceId, secret))) {
      throw new AppError('unauthenticated', 'device id or secret is wrong');
    }
    return items.map(({ deviceId: claimed, ...payload }) => {
      if (claimed !== undefined && claimed !== deviceId) {
        throw new AppError(
          'forbidden',
          `a device may only send its own observations (got '${String(claimed)}')`,
        );
      }
      return { deviceId, payload, receivedAt };
    });
  }
  if (!principal)
    throw new AppError('unauthenticated', 'send x-device-id and x-device-secret, or an admin API key');
  if (principal.kind !== 'api_key' || !hasRole(principal, 'admin')) {
    throw new AppError('forbidden', 'only devices and admin API keys may send observations');
  }
  return items.map(({ deviceId: id, ...payload }, i) => {
    if (typeof id !== 'string')
      throw new AppError('invalid_request', `item ${i}: deviceId is required with an API key`);
    return { deviceId: id, payload, receivedAt };
  });
}
