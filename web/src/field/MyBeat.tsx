import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client.ts';
import { useToken } from '../api/queries.ts';

/** My patrol beats: those in my area of the newest patrol plan covering it, with their hours. */
export function MyBeat() {
  const { t } = useTranslation();
  const token = useToken();
  const mine = useQuery({
    queryKey: ['patrol-beats-mine', token],
    enabled: Boolean(token),
    queryFn: async () => unwrap(await api.GET('/api/v1/patrol/beats/mine')),
  });
  const beats = mine.data?.beats ?? [];
  if (!mine.data?.plan || beats.length === 0) return null;
  return (
    <section className="card beats" aria-labelledby="my-beats">
      <h2 id="my-beats">{t('field.myBeats')}</h2>
      <p className="small muted">{t('field.beatsNote', { at: mine.data.plan.asOf.slice(0, 10) })}</p>
      <ul>
        {beats.map((b) => {
          const [lon = 0, lat = 0] = b.center;
          return (
            <li key={b.id} data-beat={b.id}>
              <strong>
                {b.id} · {b.streetName}
              </strong>{' '}
              {t('field.beatHours', { hours: b.hours, cells: b.cells.length })}
              <span className="small muted coords">
                {' '}
                {lon.toFixed(4)}, {lat.toFixed(4)}
              </span>
              <p>
                <a
                  className="btn btn-secondary"
                  href={`https://uri.amap.com/marker?position=${lon},${lat}&coordinate=wgs84`}
                >
                  {t('field.mapLink')}
                </a>
              </p>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
