import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client.ts';

/** A place the search found. */
export interface FoundPlace {
  name: string;
  level: string;
  lon: number;
  lat: number;
  hint?: string;
}

/**
 * Address search for the pin map: type part of a street, district or landmark name (解放碑,
 * 较场口站, 渝中) and pick one; the pin goes to its point. The names are the city's own gazetteer,
 * the same that places an Open311 `address_string`.
 */
export function AddressSearch({ onPick }: { onPick: (place: FoundPlace) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [text, setText] = useState('');
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setQuery(text.trim()), 250);
    return () => clearTimeout(timer);
  }, [text]);
  const found = useQuery({
    queryKey: ['places', query],
    enabled: query.length > 0,
    staleTime: 60_000,
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/citizen/places', { params: { query: { q: query, limit: 8 } } })).items,
  });
  const items = query ? (found.data ?? []) : [];
  return (
    <div className="address-search">
      <label htmlFor={`${id}-q`} className="sr-only">
        {t('citizen.searchPlace')}
      </label>
      <input
        id={`${id}-q`}
        className="field-input"
        type="search"
        autoComplete="off"
        placeholder={t('citizen.searchPlaceHint')}
        value={text}
        aria-controls={open && query ? `${id}-list` : undefined}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
        }}
      />
      {open && query ? (
        <ul id={`${id}-list`} className="place-results" aria-label={t('citizen.searchResults')}>
          {items.map((p) => (
            <li key={`${p.name}|${p.lon}|${p.lat}`}>
              <button
                type="button"
                onClick={() => {
                  onPick(p);
                  setText(p.name);
                  setOpen(false);
                }}
              >
                <span>{p.name}</span>
                <span className="small muted">
                  {' '}
                  {t(`citizen.placeLevels.${p.level}`, p.level)}
                  {p.hint ? ` · ${p.hint}` : ''}
                </span>
              </button>
            </li>
          ))}
          {found.isSuccess && items.length === 0 ? (
            <li className="small muted">{t('citizen.noPlaceFound')}</li>
          ) : null}
        </ul>
      ) : null}
    </div>
  );
}
