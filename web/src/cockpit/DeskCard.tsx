import type { TFunction } from 'i18next';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import {
  type BundleSummary,
  type DeskItem,
  useApplication,
  useBundleDefinition,
  useDecide,
} from '../api/services.ts';
import { titleOf } from '../shared/bundles.ts';
import { MaterialRecord } from '../shared/MaterialRecord.tsx';
import { useDepartmentNames } from '../shared/names.ts';
import { hasUploadedFile, MaterialFileLink } from './MaterialFileLink.tsx';
import { MaterialPrecheck } from './MaterialPrecheck.tsx';

type Decision = 'approve' | 'reject' | 'correction';
const DECISIONS: Decision[] = ['approve', 'correction', 'reject'];

/** Hours and minutes from now to a time (negative when past), as words. */
function until(t: TFunction, at: number, now: number): string {
  const minutes = Math.round(Math.abs(at - now) / 60_000);
  const span =
    minutes >= 60
      ? t('desk.hours', { h: Math.floor(minutes / 60), m: minutes % 60 })
      : t('desk.minutes', { m: minutes });
  return at < now ? t('desk.overdueBy', { span }) : t('desk.dueIn', { span });
}

/**
 * One step at the desk: the application and item, its time limit (overdue in red, reminded and
 * escalated said), the materials the item needs with what each holds, the application's form on
 * demand, and the decision — a reason is required to reject or to ask for a correction.
 */
export function DeskCard({
  item: i,
  bundle,
  fieldTitle,
  onDecided,
}: {
  item: DeskItem;
  bundle: BundleSummary | undefined;
  fieldTitle: (resourceId: string, field: string) => string;
  onDecided: (message: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const def = useBundleDefinition(i.bundleId, i.version).data;
  const bundleItem = def?.items.find((x) => x.code === i.step.item);
  const deptName = useDepartmentNames([
    i.step.department,
    ...i.materials.flatMap((m) => (m.owner ? [m.owner] : [])),
  ]);
  const [decision, setDecision] = useState<Decision>('approve');
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);
  const decide = useDecide();
  const needsReason = decision !== 'approve';
  const reasonMissing = needsReason && !reason.trim();
  const now = Date.now();
  const due = i.step.dueAt ? Date.parse(i.step.dueAt) : undefined;
  const late = due !== undefined && due < now;
  const bundleTitle = def
    ? titleOf(def, i18n.language)
    : bundle
      ? titleOf(bundle, i18n.language)
      : i.bundleId;
  const itemTitle = bundleItem ? titleOf(bundleItem, i18n.language) : i.step.titleZh;
  const itemOf = (code: string | undefined) => {
    const x = def?.items.find((y) => y.code === code);
    return x ? titleOf(x, i18n.language) : (code ?? '');
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (reasonMissing) return;
    decide.mutate(
      { id: i.applicationId, item: i.step.item, decision, ...(needsReason ? { reason: reason.trim() } : {}) },
      {
        onSuccess: () => onDecided(t(`desk.decided.${decision}`, { item: `${bundleTitle} · ${itemTitle}` })),
      },
    );
  };
  const refused =
    decide.error instanceof ApiError && decide.error.code === 'conflict'
      ? t('desk.alreadyDecided')
      : decide.error instanceof ApiError && decide.error.code === 'forbidden'
        ? t('desk.wrongDepartment')
        : decide.error?.message;
  return (
    <li className={`desk-card${late ? ' late-card' : ''}`}>
      <div className="desk-head">
        <h2 id={`${id}-title`}>
          {bundleTitle} · {itemTitle}
        </h2>
        <span className={`badge desk-due${late ? ' overdue' : ''}`}>
          {due !== undefined ? until(t, due, now) : t('desk.noLimit')}
        </span>
      </div>
      <p className="small muted">
        {t('desk.meta', {
          no: i.applicationId.slice(0, 8),
          department: deptName(i.step.department),
          received: i.step.startedAt ? new Date(i.step.startedAt).toLocaleString() : '—',
          due: i.step.dueAt ? new Date(i.step.dueAt).toLocaleString() : '—',
        })}
        {i.step.round > 1 ? (
          <span className="badge desk-round"> {t('desk.round', { n: i.step.round })}</span>
        ) : null}
        {i.step.remindedAt ? <span className="badge desk-reminded"> {t('desk.reminded')}</span> : null}
        {i.step.escalatedAt ? <span className="badge desk-escalated"> {t('desk.escalated')}</span> : null}
      </p>
      <div className="desk-body">
        <h3 className="desk-h3">{t('desk.materials', { count: i.materials.length })}</h3>
        <ul className="desk-materials">
          {i.materials.map((m) => (
            <li key={m.code}>
              <div className="desk-material-head">
                <strong>{titleOf(m, i18n.language)}</strong>
                <span className={`badge src-${m.origin}`}>
                  {m.origin === 'shared_data'
                    ? t('desk.fromShared', { department: m.owner ? deptName(m.owner) : '—' })
                    : m.origin === 'item'
                      ? t('desk.fromItem', { item: itemOf(m.item) })
                      : t('desk.fromApplicant')}
                </span>
                <span className="small muted">{t(`services.materialStatus.${m.status}`)}</span>
              </div>
              <MaterialRecord material={m} fieldTitle={fieldTitle} />
              <MaterialPrecheck precheck={m.precheck} />
              {hasUploadedFile(m) ? (
                <MaterialFileLink
                  applicationId={i.applicationId}
                  code={m.code}
                  title={titleOf(m, i18n.language)}
                />
              ) : null}
            </li>
          ))}
        </ul>
        <ApplicationDetails id={i.applicationId} />
      </div>
      <form className="desk-decision" onSubmit={submit} noValidate>
        <fieldset>
          <legend>{t('desk.decision')}</legend>
          {DECISIONS.map((d) => (
            <label key={d} className="desk-radio">
              <input
                type="radio"
                name={`${id}-decision`}
                value={d}
                checked={decision === d}
                onChange={() => setDecision(d)}
              />
              {t(`desk.choice.${d}`)}
            </label>
          ))}
        </fieldset>
        <label htmlFor={`${id}-reason`} className="desk-reason-label">
          {needsReason ? t('desk.reasonRequired') : t('desk.reasonOptional')}
        </label>
        <textarea
          id={`${id}-reason`}
          className="field-input"
          rows={2}
          maxLength={500}
          value={reason}
          required={needsReason}
          aria-invalid={(tried && reasonMissing) || undefined}
          aria-describedby={`${id}-hint${tried && reasonMissing ? ` ${id}-missing` : ''}`}
          onChange={(e) => setReason(e.target.value)}
        />
        <p id={`${id}-hint`} className={`small desk-hint${needsReason ? ' needed' : ''}`}>
          {needsReason ? t(`desk.hint.${decision}`) : t('desk.hint.approve')}
        </p>
        <div role="alert">
          {tried && reasonMissing ? (
            <p id={`${id}-missing`} className="error">
              {t('desk.reasonMissing', { decision: t(`desk.choice.${decision}`) })}
            </p>
          ) : null}
          {refused ? <p className="error">{t('desk.refused', { message: refused })}</p> : null}
        </div>
        <button type="submit" className={`btn desk-submit desk-${decision}`} disabled={decide.isPending}>
          {t(`desk.submit.${decision}`)}
        </button>
      </form>
    </li>
  );
}

/** The application's form and its other steps, read when the liaison opens them. */
function ApplicationDetails({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const [open, setOpen] = useState(false);
  const app = useApplication(open ? id : undefined);
  const def = useBundleDefinition(app.data?.bundleId, app.data?.version).data;
  return (
    <details className="desk-details" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{t('desk.application')}</summary>
      {app.data ? (
        <>
          <dl className="record">
            {Object.entries(app.data.form).map(([k, v]) => {
              const f = def?.form.find((x) => x.name === k);
              const label = f
                ? i18n.language === 'en'
                  ? t(`services.fields.${k}`, { defaultValue: f.titleZh })
                  : f.titleZh
                : k;
              return (
                <div key={k}>
                  <dt>{label}</dt>
                  <dd>{typeof v === 'boolean' ? t(v ? 'services.yes' : 'services.no') : String(v)}</dd>
                </div>
              );
            })}
          </dl>
          <ul className="desk-steps">
            {app.data.steps.map((s) => {
              const x = def?.items.find((y) => y.code === s.item);
              return (
                <li key={s.item}>
                  {x ? titleOf(x, i18n.language) : s.titleZh}:{' '}
                  <span className={`badge step-${s.status}`}>{t(`services.stepStatus.${s.status}`)}</span>
                </li>
              );
            })}
          </ul>
        </>
      ) : open ? (
        <p className="small muted">{app.isError ? app.error.message : t('common.loading')}</p>
      ) : null}
    </details>
  );
}
