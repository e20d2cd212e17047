import { useTranslation } from 'react-i18next';
import type { Step } from '../../api/services.ts';
import { type BundleDefinition, titleOf, waves } from '../../shared/bundles.ts';
import { useDepartmentNames } from '../../shared/names.ts';

/**
 * The approval graph as waves: the items of one wave go to their desks at the same time (并联).
 * With the application's steps, each item shows its status, time limit and decision.
 */
export function Waves({ def, steps }: { def: BundleDefinition; steps?: readonly Step[] }) {
  const { t, i18n } = useTranslation();
  const deptName = useDepartmentNames(def.items.map((i) => i.department));
  const byItem = new Map((steps ?? []).map((s) => [s.item, s]));
  const now = Date.now();
  return (
    <ol className="svc-waves">
      {waves(def).map((wave, n) => (
        <li key={wave[0]?.code ?? n} className="svc-wave">
          <p className="svc-wave-title">
            {t('services.wave', { n: n + 1 })}
            {wave.length > 1 ? (
              <span className="badge svc-parallel">{t('services.parallel', { count: wave.length })}</span>
            ) : null}
          </p>
          <ul className="svc-steps">
            {wave.map((item) => {
              const s = byItem.get(item.code);
              const overdue = s?.status === 'pending' && s.dueAt !== null && Date.parse(s.dueAt) < now;
              return (
                <li
                  key={item.code}
                  className={`svc-step${s ? ` svs-${s.status}` : ''}`}
                  data-item={item.code}
                >
                  <div className="svc-step-head">
                    <strong>{titleOf(item, i18n.language)}</strong>
                    {s ? (
                      <span className={`badge step-${s.status}`}>{t(`services.stepStatus.${s.status}`)}</span>
                    ) : null}
                  </div>
                  <p className="small muted">
                    {deptName(item.department)} · {t('services.limit', { count: item.timeLimitDays })}
                  </p>
                  {item.inPerson ? (
                    <p className="small svc-in-person">
                      {t('services.inPerson', {
                        reason: i18n.language === 'en' ? item.inPerson.reasonEn : item.inPerson.reasonZh,
                      })}
                    </p>
                  ) : null}
                  {s?.status === 'pending' && s.dueAt ? (
                    <p className={`small${overdue ? ' late' : ''}`}>
                      {overdue
                        ? t('services.overdueSince', { at: new Date(s.dueAt).toLocaleString() })
                        : t('services.dueAt', { at: new Date(s.dueAt).toLocaleString() })}
                    </p>
                  ) : null}
                  {s?.decidedAt &&
                  (s.status === 'approved' || s.status === 'rejected' || s.status === 'correction') ? (
                    <p className="small">
                      {t('services.decidedAt', { at: new Date(s.decidedAt).toLocaleString() })}
                    </p>
                  ) : null}
                  {s?.reason && (s.status === 'rejected' || s.status === 'correction') ? (
                    <p className="small svc-reason">{t('services.reasonGiven', { reason: s.reason })}</p>
                  ) : null}
                </li>
              );
            })}
          </ul>
        </li>
      ))}
    </ol>
  );
}
