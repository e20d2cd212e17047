import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type Application, type Step, useCorrect } from '../../api/services.ts';
import { type BundleDefinition, titleOf } from '../../shared/bundles.ts';
import { useDepartmentNames } from '../../shared/names.ts';
import { refusedMaterials, useRuleText } from './DraftConfirm.tsx';
import { MaterialInput } from './MaterialInput.tsx';

/**
 * A department asked for a correction: its reason, and the materials of that item the applicant
 * may give again (not those another item produces). Sending reopens the step at the desk.
 */
export function Correction({
  app,
  step,
  def,
}: {
  app: Application;
  step: Step;
  def: BundleDefinition | undefined;
}) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const correct = useCorrect();
  const ruleText = useRuleText();
  const deptName = useDepartmentNames([step.department]);
  const [provided, setProvided] = useState<Record<string, string>>({});
  const [empty, setEmpty] = useState(false);
  const item = def?.items.find((i) => i.code === step.item);
  const needs = new Set(item?.needs ?? app.materials.map((m) => m.code));
  const candidates = app.materials.filter((m) => needs.has(m.code) && m.origin !== 'item');
  const refused = refusedMaterials(correct.error);
  const send = (e: FormEvent) => {
    e.preventDefault();
    setEmpty(Object.keys(provided).length === 0);
    if (Object.keys(provided).length) correct.mutate({ id: app.id, item: step.item, provided });
  };
  return (
    <form className="card svc-correction" onSubmit={send} aria-labelledby={`${id}-title`} noValidate>
      <h3 id={`${id}-title`}>
        {t('services.correctionTitle', { item: item ? titleOf(item, i18n.language) : step.titleZh })}
      </h3>
      <p className="small muted">{deptName(step.department)}</p>
      <p className="svc-reason">{t('services.correctionReason', { reason: step.reason ?? '—' })}</p>
      <p className="small">{t('services.correctionHint')}</p>
      {candidates.map((m) => (
        <MaterialInput
          key={m.code}
          id={`${id}-${m.code}`}
          material={{ ...m, format: m.format ?? 'file' }}
          error={refused.get(m.code) ? ruleText(refused.get(m.code) as string) : undefined}
          onChange={(v) =>
            setProvided((p) => {
              const { [m.code]: _, ...rest } = p;
              return v === undefined ? rest : { ...rest, [m.code]: v };
            })
          }
        />
      ))}
      <div role="alert">
        {empty ? <p className="error">{t('services.correctionEmpty')}</p> : null}
        {correct.error ? (
          <p className="error">{t('services.failed', { message: correct.error.message })}</p>
        ) : null}
      </div>
      <button type="submit" className="btn btn-primary" disabled={correct.isPending}>
        {t('services.sendCorrection')}
      </button>
    </form>
  );
}
