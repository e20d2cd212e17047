import type { Api } from '../../platform/http/server.ts';
import { registerAlertRoutes } from './alerts/alerts.routes.ts';
import { registerDeviceRoutes } from './devices/devices.routes.ts';
import { registerObservationRoutes } from './intake/observations.routes.ts';
import type { SensingService } from './sensing.service.ts';

/** Every sensing route: devices, observations, dead letters, rules, alerts (tag `sensing`). */
export function registerSensingRoutes(app: Api, deps: { sensing: SensingService }): void {
  registerDeviceRoutes(app, deps.sensing);
  registerObservationRoutes(app, deps.sensing);
  registerAlertRoutes(app, deps.sensing);
}
