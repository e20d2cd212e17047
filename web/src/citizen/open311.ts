import { useQuery } from '@tanstack/react-query';

/**
 * Open311 GeoReport v2 (POST /open311/v2/requests.json) is the citizen intake. It is being
 * built; the form asks the server at run time whether it is there and stays disabled until
 * it is. Its types are not in the generated OpenAPI types yet, so answers are checked here.
 */
export interface Open311Status {
  available: boolean;
  services: { code: string; name: string }[];
}

/** Whether the server offers Open311 intake, and its service list. */
export function useOpen311() {
  return useQuery({
    queryKey: ['open311-services'],
    staleTime: 60_000,
    queryFn: async (): Promise<Open311Status> => {
      const res = await fetch('/open311/v2/services.json', { headers: { accept: 'application/json' } });
      if (!res.ok) return { available: false, services: [] };
      const body: unknown = await res.json().catch(() => null);
      const services = Array.isArray(body)
        ? body.flatMap((s) =>
            s && typeof s.service_code === 'string'
              ? [{ code: s.service_code as string, name: String(s.service_name ?? s.service_code) }]
              : [],
          )
        : [];
      return { available: services.length > 0, services };
    },
  });
}

/** Files a request; resolves with its tracking number. */
export async function fileRequest(fields: {
  serviceCode: string;
  description: string;
  lon: number;
  lat: number;
  lang: string;
}): Promise<string> {
  const form = new URLSearchParams({
    service_code: fields.serviceCode,
    description: fields.description,
    long: String(fields.lon),
    lat: String(fields.lat),
    locale: fields.lang,
  });
  const res = await fetch('/open311/v2/requests.json', { method: 'POST', body: form });
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const message = (body as { error?: { message?: string } } | null)?.error?.message;
    throw new Error(message ?? `HTTP ${res.status}`);
  }
  const first = Array.isArray(body) ? body[0] : undefined;
  const id = first?.service_request_id ?? first?.token;
  if (typeof id !== 'string' && typeof id !== 'number') throw new Error('no tracking number in the answer');
  return String(id);
}
