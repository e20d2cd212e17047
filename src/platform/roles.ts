// No imports, on purpose: the web client imports this file as it is (web/src/cockpit), so the
// server and the client name the same roles and groups from one place.

/** Roles a user can hold; what each may do is decided by the service that is asked. */
export const ROLES = [
  'admin',
  'city_operator',
  'district_operator',
  'street_operator',
  'department_liaison',
  'field_officer',
  'auditor',
  'data_authority',
] as const;

/** One role. */
export type Role = (typeof ROLES)[number];

const operators: readonly Role[] = ['city_operator', 'district_operator', 'street_operator'];

/**
 * The sets of roles the services and routes check again and again (`requireRole(p,
 * ...ROLE_GROUPS.operators)`); admin passes every check on the server (`hasRole`). A check that
 * occurs once stays spelled out where it is made.
 */
export const ROLE_GROUPS = {
  /** The operations centres at city, district and street level: triage, dispatch, follow tasks. */
  operators,
  /** Operators and auditors: read the KPIs and the notification log. */
  oversight: [...operators, 'auditor'],
  /** Operators and department liaisons: acknowledge alerts, override algorithm decisions. */
  responders: [...operators, 'department_liaison'],
  /** Operators and field officers: work on the ground (team status, plan steps). */
  fieldWork: [...operators, 'field_officer'],
  /** Who may report an event by hand: operators, field patrols, department liaisons. */
  reporters: [...operators, 'field_officer', 'department_liaison'],
  /** The city's data-sharing oversight: city operators, auditors and the data authority (datahub KPIs). */
  dataOversight: ['city_operator', 'auditor', 'data_authority'],
} as const satisfies Record<string, readonly Role[]>;
