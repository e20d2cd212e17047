import { hasRole, type Principal, ROLE_GROUPS } from '../../platform/access.ts';
import type { Source } from './events.schema.ts';

/** The channel a caller reports through: systems by API key, field officers on patrol, else citizen (hotline entry by operators). */
export function sourceOf(principal: Principal, asked: Source | undefined): Source {
  if (principal.kind === 'api_key') return asked === 'sensor_alert' ? 'sensor_alert' : 'system';
  if (principal.roles.includes('field_officer') && !hasRole(principal, ...ROLE_GROUPS.operators))
    return 'patrol';
  return asked ?? 'citizen';
}

/** Who files a citizen request sent without credentials: the citizen portal, seeing the whole city. */
export const CITIZEN_PORTAL: Principal = {
  kind: 'system',
  id: 'citizen-portal',
  name: 'citizen',
  roles: [],
  jurisdictionCode: '',
  jurisdictionPath: '',
  departmentCode: null,
};
