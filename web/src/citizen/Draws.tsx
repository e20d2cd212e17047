import { useTranslation } from 'react-i18next';
import { type Draw, useDraws, useRerun } from '../api/enforcement.ts';
import { EmptyState } from '../shared/EmptyState.tsx';

/** 双随机一公开: the published draws — commitment first, then seed and drawn enterprises — each re-runnable. */
export function Draws() {
  const { t } = useTranslation();
  const draws = useDraws();
  return (
    <>
      <section className="card">
        <h2>{t('draws.title')}</h2>
        <p>{t('draws.intro')}</p>
        {draws.isError ? (
          <p className="error" role="alert">
            {t('draws.failed')}
          </p>
        ) : null}
        {draws.data && draws.data.items.length === 0 ? <EmptyState title={t('draws.none')} /> : null}
      </section>
      {(draws.data?.items ?? []).map((d) => (
        <DrawCard key={d.id} draw={d} />
      ))}
    </>
  );
}

function DrawCard({ draw }: { draw: Draw }) {
  const { t } = useTranslation();
  const rerun = useRerun();
  const byDepartment = new Map<string, number>();
  for (const s of draw.selections ?? [])
    byDepartment.set(s.department, (byDepartment.get(s.department) ?? 0) + 1);
  const enterprises = new Set((draw.selections ?? []).map((s) => s.enterprise));
  return (
    <article
      className="card draw-card"
      aria-label={t('draws.cardLabel', { district: draw.districtCode, month: draw.month })}
    >
      <h3>
        {t('draws.heading', { district: draw.districtCode, month: draw.month })}{' '}
        <span className="badge">{t(`draws.status.${draw.status}`)}</span>
      </h3>
      <dl>
        <dt>{t('draws.commitment')}</dt>
        <dd>
          <code>{draw.commitment}</code>
        </dd>
        <dt>{t('draws.inputsDigest')}</dt>
        <dd>
          <code>{draw.inputsDigest}</code>
        </dd>
        {draw.seed ? (
          <>
            <dt>{t('draws.seed')}</dt>
            <dd>
              <code>{draw.seed}</code>
            </dd>
          </>
        ) : null}
      </dl>
      {draw.selections ? (
        <>
          <p>{t('draws.drawn', { inspections: draw.selections.length, enterprises: enterprises.size })}</p>
          <ul>
            {[...byDepartment].map(([department, n]) => (
              <li key={department}>
                {t('draws.perDepartment', {
                  department: t(`draws.departments.${department}`, department),
                  count: n,
                })}
              </li>
            ))}
          </ul>
          <details>
            <summary>{t('draws.list')}</summary>
            <ul>
              {(draw.selections ?? []).map((s) => (
                <li key={`${s.department}-${s.enterprise}`}>
                  <code>{s.enterprise}</code> · {t(`draws.departments.${s.department}`, s.department)} ·{' '}
                  {s.riskClass}
                </li>
              ))}
            </ul>
          </details>
          <button
            type="button"
            className="btn btn-secondary"
            disabled={rerun.isPending}
            onClick={() => rerun.mutate(draw.id)}
          >
            {t('draws.rerun')}
          </button>
          {rerun.data ? (
            <p role="status" className={rerun.data.matches ? 'ok' : 'error'}>
              {rerun.data.matches ? t('draws.matches') : t('draws.mismatch')}
            </p>
          ) : null}
        </>
      ) : (
        <p>{t('draws.waiting')}</p>
      )}
    </article>
  );
}
