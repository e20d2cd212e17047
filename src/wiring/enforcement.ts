import path from 'node:path';
import type { AuditLog } from '../modules/audit/index.ts';
import {
  Catalogue,
  createEnforcement,
  type Enforcement,
  registerCodeRoutes,
  registerComplaintRoutes,
  registerEnforcementRoutes,
} from '../modules/enforcement/index.ts';
import type { JurisdictionService } from '../modules/jurisdictions/index.ts';
import type { Clock } from '../platform/clock.ts';
import type { Db } from '../platform/db/database.ts';
import type { Api } from '../platform/http/server.ts';
import { persistentSecret } from '../platform/secrets.ts';

/** The shipped inspection catalogue and annual plans. */
export const ENFORCEMENT_DATA_DIR = path.resolve(import.meta.dirname, '../../data/enforcement');

/**
 * Joint enforcement (issue 15): the catalogue and plans from data/enforcement, streets from the
 * jurisdictions module, the codes' signing key derived from a secret kept in the data directory.
 */
export function wireEnforcement(deps: {
  db: Db;
  http: Api;
  audit: AuditLog;
  clock: Clock;
  jurisdictions: JurisdictionService;
  dataDir: string;
}): Enforcement {
  const catalogue = Catalogue.load(
    path.join(ENFORCEMENT_DATA_DIR, 'inspection-catalogue.v1.json'),
    path.join(ENFORCEMENT_DATA_DIR, 'annual-plans.v1.json'),
  );
  const enforcement = createEnforcement({
    db: deps.db,
    audit: deps.audit,
    clock: deps.clock,
    catalogue,
    streets: {
      get: async (code) => {
        const j = await deps.jurisdictions.get(code).catch(() => undefined);
        return j && j.level === 'street' ? { code: j.code, name: j.name, path: j.path } : undefined;
      },
    },
    signingSeed: Buffer.from(persistentSecret(deps.dataDir, 'enforcement-code-key'), 'base64url'),
    issuer: 'citybrain',
  });
  registerEnforcementRoutes(deps.http, { enforcement });
  registerCodeRoutes(deps.http, { enforcement });
  registerComplaintRoutes(deps.http, { enforcement });
  return enforcement;
}
