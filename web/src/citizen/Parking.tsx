import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import {
  type ParkingQuery,
  type ParkingSite,
  useBookSpace,
  useCancelBooking,
  useParkingSearch,
} from '../api/parking.ts';
import { EmptyState } from '../shared/EmptyState.tsx';

/** Destinations a citizen can pick (the dense central areas where spaces are shared). */
const PLACES = [
  { key: 'jiefangbei', lon: 106.577, lat: 29.557 },
  { key: 'guanyinqiao', lon: 106.531, lat: 29.575 },
  { key: 'nanping', lon: 106.562, lat: 29.53 },
] as const;
const HOURS = [1, 2, 3, 4, 8];
const PLATE = /^[\u4e00-\u9fa5][A-Z][A-HJ-NP-Z0-9]{5,6}$/;

/** The next quarter hour, as a datetime-local value in the browser's time zone. */
function nextQuarter(): string {
  const d = new Date(Math.ceil(Date.now() / 900_000) * 900_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** 错峰共享停车: search shared spaces near a destination for a window and book one. */
export function Parking() {
  const { t } = useTranslation();
  const id = useId();
  const [place, setPlace] = useState<string>(PLACES[0].key);
  const [start, setStart] = useState(nextQuarter);
  const [hours, setHours] = useState(2);
  const [plate, setPlate] = useState('');
  const [query, setQuery] = useState<ParkingQuery | null>(null);
  const [asked, setAsked] = useState(0);
  const search = useParkingSearch(query, asked);
  const book = useBookSpace();
  const cancel = useCancelBooking();
  const booking = cancel.data ?? book.data;

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const p = PLACES.find((x) => x.key === place) ?? PLACES[0];
    const from = new Date(start);
    if (Number.isNaN(from.getTime())) return;
    book.reset();
    cancel.reset();
    setAsked((n) => n + 1);
    setQuery({
      lon: p.lon,
      lat: p.lat,
      radius: 1000,
      from: from.toISOString(),
      to: new Date(from.getTime() + hours * 3_600_000).toISOString(),
    });
  };
  const reserve = (site: ParkingSite) => {
    const spotId = site.freeSpots[0];
    if (!query || !spotId) return;
    book.mutate({ spotId, plate: plate.trim().toUpperCase(), from: query.from, to: query.to });
  };
  const plateOk = PLATE.test(plate.trim().toUpperCase());
  const refusal = (err: Error) =>
    err instanceof ApiError ? t(`parking.errors.${err.code}`, { defaultValue: err.message }) : err.message;

  return (
    <>
      <form className="card form" onSubmit={submit} aria-label={t('parking.title')}>
        <h2>{t('parking.title')}</h2>
        <p>{t('parking.intro')}</p>
        <label htmlFor={`${id}-place`}>{t('parking.destination')}</label>
        <select
          id={`${id}-place`}
          className="field-input"
          value={place}
          onChange={(e) => setPlace(e.target.value)}
        >
          {PLACES.map((p) => (
            <option key={p.key} value={p.key}>
              {t(`parking.places.${p.key}`)}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-start`}>{t('parking.start')}</label>
        <input
          id={`${id}-start`}
          className="field-input"
          type="datetime-local"
          required
          value={start}
          onChange={(e) => setStart(e.target.value)}
        />
        <label htmlFor={`${id}-hours`}>{t('parking.hours')}</label>
        <select
          id={`${id}-hours`}
          className="field-input"
          value={hours}
          onChange={(e) => setHours(Number(e.target.value))}
        >
          {HOURS.map((h) => (
            <option key={h} value={h}>
              {t('parking.hoursN', { count: h })}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-plate`}>{t('parking.plate')}</label>
        <input
          id={`${id}-plate`}
          className="field-input"
          autoComplete="off"
          placeholder="渝A12345"
          maxLength={8}
          value={plate}
          onChange={(e) => setPlate(e.target.value)}
        />
        <button type="submit" className="btn btn-primary">
          {t('parking.search')}
        </button>
      </form>
      {booking ? (
        <section className="card" aria-live="polite">
          <h2>{booking.status === 'cancelled' ? t('parking.cancelled') : t('parking.booked')}</h2>
          <dl>
            <dt>{t('parking.spot')}</dt>
            <dd>
              <code>{booking.refParkingSpot}</code>
            </dd>
            <dt>{t('parking.plate')}</dt>
            <dd>{booking.plate}</dd>
            <dt>{t('parking.window')}</dt>
            <dd>
              {new Date(booking.from).toLocaleString()} – {new Date(booking.to).toLocaleString()}
            </dd>
            <dt>{t('parking.statusLabel')}</dt>
            <dd>{t(`parking.status.${booking.status}`)}</dd>
          </dl>
          <p className="muted small">{t('parking.graceHint')}</p>
          {booking.status === 'booked' ? (
            <button
              type="button"
              className="btn btn-secondary"
              disabled={cancel.isPending}
              onClick={() => cancel.mutate({ id: booking.id, plate: plate.trim().toUpperCase() })}
            >
              {t('parking.cancel')}
            </button>
          ) : null}
        </section>
      ) : null}
      {book.error || cancel.error ? (
        <p className="error" role="alert">
          {t('parking.refused', { message: refusal((book.error ?? cancel.error) as Error) })}
        </p>
      ) : null}
      {search.isError ? (
        <p className="error" role="alert">
          {t('parking.failed', { message: refusal(search.error) })}
        </p>
      ) : null}
      {search.data && search.data.items.length === 0 ? <EmptyState title={t('parking.none')} /> : null}
      {/* Sites with a space free for the whole stay first (nearest first), then the full ones. */}
      {[...(search.data?.items ?? [])]
        .sort((a, b) => Number(b.availableSpotNumber > 0) - Number(a.availableSpotNumber > 0))
        .map((site) => (
          <article key={site.id} className="card" aria-label={site.name}>
            <h3>
              {site.name} {site.synthetic ? <span className="badge">{t('parking.synthetic')}</span> : null}
            </h3>
            <p>
              {t('parking.distance', { m: site.distanceM })} · {t(`parking.owner.${site.ownerKind}`)} ·{' '}
              {t('parking.available', { count: site.availableSpotNumber, total: site.totalSpotNumber })}
            </p>
            <button
              type="button"
              className="btn btn-primary"
              disabled={!plateOk || site.availableSpotNumber === 0 || book.isPending || Boolean(book.data)}
              onClick={() => reserve(site)}
            >
              {site.availableSpotNumber === 0
                ? t('parking.full')
                : plateOk
                  ? t('parking.book')
                  : t('parking.plateFirst')}
            </button>
          </article>
        ))}
    </>
  );
}
