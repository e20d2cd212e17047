import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, unwrap } from './client.ts';
import { useToken } from './queries.ts';
import type { paths } from './schema.d.ts';
import type { GetOk } from './types.ts';

/** A bundle (一件事) as the public list gives it: titles, counts, departments. */
export type BundleSummary = GetOk<'/api/v1/services/bundles'>['items'][number];
/** A bundle's whole definition (GET bundles/{id}): items, graph in steps, materials and sources, form, rules, consent. */
export type BundleDefinition = GetOk<'/api/v1/services/bundles/{id}'>;
/** An electronic certificate of a completed application, with its QR text. */
export type Certificate = GetOk<'/api/v1/services/applications/{id}/certificates'>['items'][number];
/** What verifying a certificate's QR text says. */
export type CertificateCheck =
  paths['/api/v1/services/certificates/verify']['post']['responses'][200]['content']['application/json'];
/** One application with its materials and steps. */
export type Application = GetOk<'/api/v1/services/applications/{id}'>;
/** One material of an application. */
export type Material = Application['materials'][number];
/** One approval step of an application. */
export type Step = Application['steps'][number];
/** One open step in a department's inbox. */
export type DeskItem = GetOk<'/api/v1/services/desk'>['items'][number];
/** One in-app notice to the applicant. */
export type ServiceNotice = GetOk<'/api/v1/services/notices'>['items'][number];
/** What the form fails, before anything is filed. */
export type Eligibility =
  paths['/api/v1/services/bundles/{id}/eligibility']['post']['responses'][200]['content']['application/json'];
/** A form as the API takes it. */
export type FormValues = Record<string, string | number | boolean>;

/** How often an application still moving is read again (its steps are decided at the desks). */
const LIVE_MS = 4_000;
/** Whether an application can still change without the applicant. */
export const isMoving = (a: Pick<Application, 'status'> | undefined) =>
  a?.status === 'in_progress' || a?.status === 'correction';

/** The bundles (public). */
export function useBundles() {
  return useQuery({
    queryKey: ['services-bundles'],
    staleTime: 5 * 60_000,
    queryFn: async () => unwrap(await api.GET('/api/v1/services/bundles')).items,
  });
}

/** How a bundle definition is asked for: the version an application runs on, or the current one. */
function definitionQuery(id: string | undefined, version?: number) {
  return {
    queryKey: ['services-bundle', id, version ?? 'current'],
    enabled: Boolean(id),
    // A version never changes once published; the current one may be replaced by a new version.
    staleTime: version === undefined ? 5 * 60_000 : Number.POSITIVE_INFINITY,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/services/bundles/{id}', {
          params: { path: { id: id! }, query: version === undefined ? {} : { version } },
        }),
      ),
  };
}

/** A bundle's whole definition (public): the current version, or the one an application runs on. */
export function useBundleDefinition(id: string | undefined, version?: number) {
  return useQuery(definitionQuery(id, version));
}

/** The current definitions of every bundle listed (the desks' departments, the list's figures). */
export function useBundleDefinitions(ids: readonly string[]) {
  return useQueries({ queries: ids.map((id) => definitionQuery(id)) })
    .map((q) => q.data)
    .filter((d): d is BundleDefinition => Boolean(d));
}

/** The signed-in applicant's applications, newest first, read again while any is moving. */
export function useMyApplications() {
  const token = useToken();
  return useQuery({
    queryKey: ['services-applications', token],
    enabled: Boolean(token),
    refetchInterval: (q) => (q.state.data?.some(isMoving) ? LIVE_MS : false),
    queryFn: async () => unwrap(await api.GET('/api/v1/services/applications')).items,
  });
}

/** One application, read again every few seconds while its steps are being decided. */
export function useApplication(id: string | undefined) {
  const token = useToken();
  return useQuery({
    queryKey: ['services-application', token, id],
    enabled: Boolean(token && id),
    refetchInterval: (q) => (isMoving(q.state.data) ? LIVE_MS : false),
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/services/applications/{id}', { params: { path: { id: id! } } })),
  });
}

/** The applicant's in-app notices (read again with the application while it moves). */
export function useServiceNotices(live: boolean) {
  const token = useToken();
  return useQuery({
    queryKey: ['services-notices', token],
    enabled: Boolean(token),
    refetchInterval: live ? LIVE_MS : false,
    queryFn: async () => unwrap(await api.GET('/api/v1/services/notices')).items,
  });
}

/** Asks which eligibility rules a form fails. */
export function useEligibility() {
  return useMutation({
    mutationFn: async (v: { bundleId: string; form: FormValues }) =>
      unwrap(
        await api.POST('/api/v1/services/bundles/{id}/eligibility', {
          params: { path: { id: v.bundleId } },
          body: { form: v.form },
        }),
      ),
  });
}

/** Keeps a changed application in the cache and has the lists read again. */
function useApplicationChanged() {
  const client = useQueryClient();
  const token = useToken();
  return (app: Application) => {
    client.setQueryData(['services-application', token, app.id], app);
    void client.invalidateQueries({ queryKey: ['services-applications'] });
    void client.invalidateQueries({ queryKey: ['services-notices'] });
    void client.invalidateQueries({ queryKey: ['services-desk'] });
  };
}

/** Starts an application (a draft with the materials departments hold, to confirm). */
export function useApply() {
  const changed = useApplicationChanged();
  return useMutation({
    mutationFn: async (body: { bundleId: string; form: FormValues; consent: boolean }) =>
      unwrap(await api.POST('/api/v1/services/applications', { body })),
    onSuccess: changed,
  });
}

/** Confirms the records shown, gives the rest, and files the application. */
export function useSubmit() {
  const changed = useApplicationChanged();
  return useMutation({
    mutationFn: async (v: { id: string; confirm: string[]; provided: Record<string, string> }) =>
      unwrap(
        await api.POST('/api/v1/services/applications/{id}/submit', {
          params: { path: { id: v.id } },
          body: { confirm: v.confirm, provided: v.provided },
        }),
      ),
    onSuccess: changed,
  });
}

/** Answers a department's request for a correction; the step reopens at its desk. */
export function useCorrect() {
  const changed = useApplicationChanged();
  return useMutation({
    mutationFn: async (v: { id: string; item: string; provided: Record<string, string> }) =>
      unwrap(
        await api.POST('/api/v1/services/applications/{id}/correction', {
          params: { path: { id: v.id } },
          body: { item: v.item, provided: v.provided },
        }),
      ),
    onSuccess: changed,
  });
}

/** A department's open steps (an administrator names the department); read again every 10 s. */
export function useDesk(department: string | undefined, enabled = true) {
  const token = useToken();
  return useQuery({
    queryKey: ['services-desk', token, department ?? ''],
    enabled: Boolean(token) && enabled,
    refetchInterval: 10_000,
    placeholderData: keepPreviousData,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/services/desk', {
          params: { query: department ? { department } : {} },
        }),
      ).items,
  });
}

/** A step's decision: approve, or reject / ask for a correction with a reason. */
export function useDecide() {
  const changed = useApplicationChanged();
  return useMutation({
    mutationFn: async (v: {
      id: string;
      item: string;
      decision: 'approve' | 'reject' | 'correction';
      reason?: string;
    }) =>
      unwrap(
        await api.POST('/api/v1/services/applications/{id}/steps/{item}/decision', {
          params: { path: { id: v.id, item: v.item } },
          body: { decision: v.decision, ...(v.reason ? { reason: v.reason } : {}) },
        }),
      ),
    onSuccess: changed,
  });
}

/** The certificates of a completed application (one per item), with their QR text. */
export function useCertificates(id: string | undefined, enabled: boolean) {
  const token = useToken();
  return useQuery({
    queryKey: ['services-certificates', token, id],
    enabled: Boolean(token && id) && enabled,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/services/applications/{id}/certificates', {
          params: { path: { id: id! } },
        }),
      ).items,
  });
}

/** What the public verification says of a certificate's QR text (as anyone scanning it would ask). */
export function useCertificateCheck(qr: string) {
  return useQuery({
    queryKey: ['services-certificate-check', qr],
    staleTime: 60_000,
    queryFn: async () =>
      unwrap(await api.POST('/api/v1/services/certificates/verify', { body: { qr } })) as CertificateCheck,
  });
}

/** A file answer as a Blob, or the server's error as an ApiError. */
async function blobOf(r: { response: Response; data?: unknown }): Promise<Blob> {
  if (!r.response.ok || !(r.data instanceof Blob)) {
    const body = (await r.response
      .clone()
      .json()
      .catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
    throw new ApiError(
      r.response.status,
      body?.error?.code ?? 'http_error',
      body?.error?.message ?? `HTTP ${r.response.status}`,
    );
  }
  return r.data;
}

/**
 * A certificate's PDF as a Blob: fetched with the bearer token (a plain link would go without
 * it), checked to be a PDF.
 */
export async function fetchCertificatePdf(id: string, number: string): Promise<Blob> {
  return blobOf(
    await api.GET('/api/v1/services/applications/{id}/certificates/{number}.pdf', {
      params: { path: { id, number } },
      parseAs: 'blob',
    }),
  );
}

/**
 * A file the applicant uploaded for a material, as the desk opens it: fetched with the bearer
 * token (a plain link would go without it); the server types it by its bytes.
 */
export async function fetchMaterialFile(id: string, code: string): Promise<Blob> {
  return blobOf(
    await api.GET('/api/v1/services/desk/applications/{id}/materials/{code}/file', {
      params: { path: { id, code } },
      parseAs: 'blob',
    }),
  );
}
