import { useQueries } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client.ts';
import { placeName } from '../i18n.ts';

/** A place as names need it. */
interface Place {
  code: string;
  name: string;
  nameEn: string | null;
}

/** The level of a node by its code's length (Chongqing's codes: 50, 500103, 500103003). */
function levelOf(code: string): 'city' | 'district' | 'street' | undefined {
  return code.length === 2
    ? 'city'
    : code.length === 6
      ? 'district'
      : code.length === 9
        ? 'street'
        : undefined;
}

/**
 * A department `<node>:<type>` in words: its kind from the catalogue (`departments.<type>`)
 * and, when known, its place's name in the reader's language — "解放碑街道城市管理部门",
 * "Urban management (Jiefangbei)". Without the place (still loading, unknown) the kind alone.
 */
export function departmentLabel(t: TFunction, lng: string, code: string, place?: Place): string {
  const [node = '', type = ''] = code.split(':');
  const kind = t(`departments.${type}`, type || code);
  return place && place.code === node
    ? t('departmentName', { place: placeName(place, lng), kind })
    : t('departmentKind', { kind });
}

/** Places by node code (public jurisdiction list, no geometry), each read once and kept for the session. */
function usePlaces(codes: readonly string[]): Map<string, Place> {
  const nodes = [...new Set(codes)].filter((n) => levelOf(n));
  const places = useQueries({
    queries: nodes.map((node) => ({
      queryKey: ['place', node],
      staleTime: Number.POSITIVE_INFINITY,
      queryFn: async (): Promise<Place | null> => {
        const body = unwrap(
          await api.GET('/api/v1/jurisdictions', { params: { query: { q: node, level: levelOf(node) } } }),
        );
        return body.items.find((p) => p.code === node) ?? null;
      },
    })),
  });
  const byNode = new Map<string, Place>();
  for (const q of places) if (q.data) byNode.set(q.data.code, q.data);
  return byNode;
}

/**
 * Names of departments by code, in the reader's language: the places of their nodes are read
 * once each and kept for the session.
 */
export function useDepartmentNames(codes: readonly string[]): (code: string) => string {
  const { t, i18n } = useTranslation();
  const byNode = usePlaces(codes.map((c) => c.split(':')[0] ?? ''));
  return (code) => departmentLabel(t, i18n.language, code, byNode.get(code.split(':')[0] ?? ''));
}

/** Names of places (city, district, street) by code in the reader's language; the code while unknown. */
export function usePlaceNames(codes: readonly string[]): (code: string) => string {
  const { i18n } = useTranslation();
  const byNode = usePlaces(codes);
  return (code) => {
    const place = byNode.get(code);
    return place ? placeName(place, i18n.language) : code;
  };
}
