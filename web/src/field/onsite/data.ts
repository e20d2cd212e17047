// The field app's on-site data (issue 15): my visits of the day, the codes' keys and status list,
// my 执法码 — each kept in localStorage when fetched, so the on-site screens and the offline
// verification work with the network off once they have been seen online (the same mechanism as the
// task list, Tasks.tsx). Drafts of a visit's checklist are kept there too. No crypto here: the list
// loads this and stays light; the visit's chunk (OnSiteVisit, verify.ts) is loaded when one opens.
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client.ts';
import type { Keys, MyCode, MyVisits, StatusList } from '../../api/enforcement.ts';
import { useToken } from '../../api/queries.ts';

const VISITS = 'citybrain.field.enf.visits';
const TRUST = 'citybrain.field.enf.trust';
const CODE = 'citybrain.field.enf.code.';
const DRAFT = 'citybrain.field.enf.draft.';

function read<T>(key: string): T | undefined {
  try {
    return (JSON.parse(localStorage.getItem(key) ?? 'null') as T | null) ?? undefined;
  } catch {
    return undefined;
  }
}
function write(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or unavailable: the answer lasts until the page is left.
  }
}

/** My visits of today, the last answer cached for offline. */
export function useMyVisits() {
  const token = useToken();
  return useQuery({
    queryKey: ['enf-my-visits', token],
    enabled: Boolean(token),
    refetchInterval: 60_000,
    initialData: () => read<MyVisits>(VISITS),
    initialDataUpdatedAt: 0,
    queryFn: async () => {
      const answer = unwrap(await api.GET('/api/v1/enforcement/visits/mine'));
      write(VISITS, answer);
      return answer;
    },
  });
}

/** What offline verification trusts: the keys and the status list, and when they were fetched. */
export interface Trust {
  keys: Keys;
  status: StatusList;
  fetchedAt: string;
}

/** The keys and status list (public), refreshed every 5 minutes while online, cached for offline. */
export function useTrust() {
  return useQuery({
    queryKey: ['enf-trust'],
    refetchInterval: 300_000,
    initialData: () => read<Trust>(TRUST),
    initialDataUpdatedAt: 0,
    queryFn: async () => {
      const [keys, status] = await Promise.all([
        api.GET('/api/v1/enforcement/keys').then(unwrap),
        api.GET('/api/v1/enforcement/codes/status').then(unwrap),
      ]);
      const trust: Trust = { keys, status, fetchedAt: new Date().toISOString() };
      write(TRUST, trust);
      return trust;
    },
  });
}

/** My current 执法码 (the QR text), cached for offline. */
export function useMyCode(inspectorId: string | undefined) {
  const token = useToken();
  return useQuery({
    queryKey: ['enf-my-code', inspectorId, token],
    enabled: Boolean(token && inspectorId),
    refetchInterval: 600_000,
    initialData: () => (inspectorId ? read<MyCode>(CODE + inspectorId) : undefined),
    initialDataUpdatedAt: 0,
    queryFn: async () => {
      const answer = unwrap(
        await api.GET('/api/v1/enforcement/codes/inspectors/{id}', {
          params: { path: { id: inspectorId as string } },
        }),
      );
      write(CODE + inspectorId, answer);
      return answer;
    },
  });
}

/** A visit's on-site draft: answers per check, notes, the scanned 企业码. */
export interface Draft {
  answers: Record<string, 'pass' | 'fail'>;
  notes: Record<string, string>;
  enterpriseQr: string;
}

export const readDraft = (visitId: string): Draft =>
  read<Draft>(DRAFT + visitId) ?? { answers: {}, notes: {}, enterpriseQr: '' };
export const writeDraft = (visitId: string, draft: Draft): void => write(DRAFT + visitId, draft);
export const dropDraft = (visitId: string): void => localStorage.removeItem(DRAFT + visitId);
