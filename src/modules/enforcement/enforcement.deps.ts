import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';
import type { AuditLog } from '../audit/index.ts';
import type { Catalogue } from './catalogue.ts';
import type { StreetRef } from './register.generate.ts';

/** The streets and towns enterprises sit in (the jurisdictions module's street level). */
export interface StreetDirectory {
  get(code: string): Promise<StreetRef | undefined>;
}

/** What the enforcement services need. */
export interface EnforcementDeps {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  /** The inspection catalogue and annual plans (data/enforcement/). */
  catalogue: Catalogue;
  streets: StreetDirectory;
  /** Secret the codes' P-256 signing key is derived from (persisted by the composition root). */
  signingSeed: Uint8Array;
  /** The codes' issuer (CWT `iss`), e.g. `citybrain:50`. */
  issuer: string;
  /** Validity of an inspector's code (default 30 days) and an enterprise's (default 365 days), in days. */
  codeDays?: { inspector: number; enterprise: number };
}
