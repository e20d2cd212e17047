import { useTranslation } from 'react-i18next';
import type { DeskItem } from '../api/services.ts';

type Precheck = NonNullable<DeskItem['materials'][number]['precheck']>;

/**
 * The material pre-check's verdict at the desk (services.material-precheck, through the filing
 * gate): passed, to review with each reason in words, or not pre-checked and why. The desk still
 * decides; approving a flagged material (or asking to correct a passed one) is logged as an override.
 */
export function MaterialPrecheck({ precheck }: { precheck: Precheck | undefined }) {
  const { t } = useTranslation();
  if (!precheck) return null;
  const { status } = precheck;
  // A wrong file type names the expected kind by its code (image, document…): said in words.
  const words = (code: string, p: Record<string, string | number>) =>
    code === 'file_type' ? { ...p, expected: t(`desk.precheck.kind.${p.expected}`) } : p;
  return (
    <div className={`desk-precheck precheck-${status}`}>
      <span className={`badge precheck-badge precheck-${status}`}>{t(`desk.precheck.status.${status}`)}</span>{' '}
      {status === 'not_prechecked' ? (
        <span className="small muted">
          {t(`desk.precheck.notChecked.${precheck.notCheckedReason ?? 'algorithm_not_in_use'}`)}
        </span>
      ) : null}
      {precheck.reasons.length ? (
        <ul className="desk-precheck-reasons small">
          {precheck.reasons.map((r, n) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: reasons have no id; one code may repeat (two ID numbers)
            <li key={n}>
              {t(`desk.precheck.reason.${r.code}`, { ...words(r.code, r.params), defaultValue: r.code })}
            </li>
          ))}
        </ul>
      ) : null}
      {status === 'needs_review' ? <p className="small muted">{t('desk.precheck.overrideNote')}</p> : null}
    </div>
  );
}
