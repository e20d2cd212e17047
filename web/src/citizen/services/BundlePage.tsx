import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client.ts';
import { useToken } from '../../api/queries.ts';
import { type Eligibility, useApply, useBundleDefinition, useEligibility } from '../../api/services.ts';
import { applicationPath, navigate } from '../../router.ts';
import {
  type BundleDefinition,
  choicesOf,
  consentText,
  type FormField,
  titleOf,
} from '../../shared/bundles.ts';
import { EmptyState } from '../../shared/EmptyState.tsx';
import { useDepartmentNames } from '../../shared/names.ts';
import { type Draft, formValues, materialPlan, missingFields } from './plan.ts';
import { SignedIn } from './SignedIn.tsx';
import { Waves } from './Waves.tsx';

/** One bundle: its items and departments, the materials and where each comes from, the form and eligibility. */
export function BundlePage({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const bundle = useBundleDefinition(id);
  const def = bundle.data;
  if (bundle.isPending) return <p className="muted">{t('common.loading')}</p>;
  if (bundle.error instanceof ApiError && bundle.error.code === 'not_found')
    return <EmptyState title={t('services.unknownBundle')} />;
  if (!def)
    return (
      <p className="error" role="alert">
        {t('services.failed', { message: bundle.error?.message ?? '' })}
      </p>
    );
  return (
    <>
      <section className="card" aria-labelledby="svc-bundle-title">
        <h2 id="svc-bundle-title">{titleOf(def, i18n.language)}</h2>
        <p className="svc-figures">
          {t('services.figures', {
            items: def.items.length,
            departments: def.departments.length,
            materials: def.materials.length,
          })}
        </p>
        <details className="small">
          <summary>{t('services.modelledOn')}</summary>
          <p lang="en">{def.modelledOn}</p>
        </details>
      </section>
      <section className="card" aria-labelledby="svc-items-title">
        <h2 id="svc-items-title">{t('services.items')}</h2>
        <p className="muted small">{t('services.itemsNote')}</p>
        <Waves def={def} />
      </section>
      <Departments departments={def.departments} />
      <Materials def={def} />
      <SignedIn>
        <ApplyForm def={def} />
      </SignedIn>
    </>
  );
}

function Departments({ departments }: { departments: string[] }) {
  const { t } = useTranslation();
  const deptName = useDepartmentNames(departments);
  return (
    <section className="card" aria-labelledby="svc-depts-title">
      <h2 id="svc-depts-title">{t('services.departments')}</h2>
      <ul className="svc-chips">
        {departments.map((d) => (
          <li key={d}>{deptName(d)}</li>
        ))}
      </ul>
    </section>
  );
}

function Materials({ def }: { def: BundleDefinition }) {
  const { t, i18n } = useTranslation();
  const plan = materialPlan(def);
  const deptName = useDepartmentNames(plan.shared.map((s) => s.owner));
  const itemTitle = (code: string) => {
    const item = def.items.find((i) => i.code === code);
    return item ? titleOf(item, i18n.language) : code;
  };
  return (
    <section className="card" aria-labelledby="svc-materials-title">
      <h2 id="svc-materials-title">{t('services.materials')}</h2>
      <h3 className="svc-h3">{t('services.fromShared', { count: plan.shared.length })}</h3>
      <ul className="svc-list">
        {plan.shared.map(({ material: m, owner, fallback }) => (
          <li key={m.code}>
            {titleOf(m, i18n.language)} <span className="muted small">· {deptName(owner)}</span>
            {fallback ? <span className="muted small"> · {t('services.fallbackYou')}</span> : null}
          </li>
        ))}
      </ul>
      <h3 className="svc-h3">{t('services.fromItems', { count: plan.produced.length })}</h3>
      <ul className="svc-list">
        {plan.produced.map(({ material: m, item }) => (
          <li key={m.code}>
            {titleOf(m, i18n.language)}{' '}
            <span className="muted small">· {t('services.producedBy', { item: itemTitle(item) })}</span>
          </li>
        ))}
      </ul>
      <h3 className="svc-h3">{t('services.fromYou', { count: plan.yours.length })}</h3>
      <ul className="svc-list">
        {plan.yours.map((m) => (
          <li key={m.code}>{titleOf(m, i18n.language)}</li>
        ))}
      </ul>
    </section>
  );
}

/** A form field's label in the reader's language (the definition's Chinese, or the catalogue's English). */
function useFieldLabel() {
  const { t, i18n } = useTranslation();
  return (f: FormField) =>
    i18n.language === 'en' ? t(`services.fields.${f.name}`, { defaultValue: f.titleZh }) : f.titleZh;
}

/** The form, the eligibility check, the consent, and starting the application (a draft to confirm). */
function ApplyForm({ def }: { def: BundleDefinition }) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const token = useToken();
  const label = useFieldLabel();
  const [draft, setDraft] = useState<Draft>({});
  const [consent, setConsent] = useState<'' | 'yes' | 'no'>('');
  const [consentAsked, setConsentAsked] = useState(false);
  const [missing, setMissing] = useState<string[]>([]);
  const [result, setResult] = useState<Eligibility | null>(null);
  const check = useEligibility();
  const apply = useApply();
  const set = (name: string, value: string) => {
    setDraft((d) => ({ ...d, [name]: value }));
    setResult(null);
  };
  const validate = () => {
    const empty = missingFields(def.form, draft).map((f) => f.name);
    setMissing(empty);
    return empty.length === 0;
  };
  const ask = async () => {
    if (!validate()) return;
    setResult(await check.mutateAsync({ bundleId: def.id, form: formValues(def.form, draft) }));
  };
  const start = async (e: FormEvent) => {
    e.preventDefault();
    setConsentAsked(true);
    if (!validate() || !consent) return;
    const form = formValues(def.form, draft);
    const eligible = await check.mutateAsync({ bundleId: def.id, form });
    setResult(eligible);
    if (!eligible.eligible) return;
    const app = await apply.mutateAsync({ bundleId: def.id, form, consent: consent === 'yes' });
    navigate(applicationPath(app.id));
  };
  const owners = useDepartmentNames(def.consent.departments);
  const error = apply.error ?? check.error;
  const fieldsOfError =
    apply.error instanceof ApiError ? fieldNames(apply.error, def.form, label) : undefined;
  if (!token) return null;
  return (
    <form className="card form svc-form" onSubmit={start} aria-labelledby={`${id}-title`} noValidate>
      <h2 id={`${id}-title`}>{t('services.applyTitle')}</h2>
      {def.form.map((f) => {
        const fid = `${id}-${f.name}`;
        const invalid = missing.includes(f.name) || result?.reasons.some((r) => r.field === f.name);
        const describedBy = invalid ? `${id}-problems` : undefined;
        const choices = f.type === 'text' ? choicesOf(def, f.name) : undefined;
        if (f.type === 'boolean')
          return (
            <fieldset key={f.name} aria-describedby={describedBy}>
              <legend>{label(f)}</legend>
              <div className="row">
                {(['yes', 'no'] as const).map((v) => (
                  <label key={v} className="svc-radio">
                    <input
                      type="radio"
                      name={fid}
                      value={v}
                      checked={draft[f.name] === v}
                      onChange={() => set(f.name, v)}
                    />
                    {t(`services.${v}`)}
                  </label>
                ))}
              </div>
            </fieldset>
          );
        return (
          <div key={f.name} className="form">
            <label htmlFor={fid}>{label(f)}</label>
            {choices ? (
              <select
                id={fid}
                className="field-input"
                value={draft[f.name] ?? ''}
                aria-invalid={invalid || undefined}
                aria-describedby={describedBy}
                onChange={(e) => set(f.name, e.target.value)}
              >
                <option value="">{t('services.choose')}</option>
                {[...choices, 'other'].map((c) => (
                  <option key={c} value={c}>
                    {t(`services.choices.${f.name}.${c}`, {
                      defaultValue: c === 'other' ? t('services.other') : c,
                    })}
                  </option>
                ))}
              </select>
            ) : (
              <input
                id={fid}
                className="field-input"
                type={f.type === 'date' ? 'date' : f.type === 'number' ? 'number' : 'text'}
                inputMode={f.type === 'number' ? 'numeric' : undefined}
                autoComplete="off"
                value={draft[f.name] ?? ''}
                aria-invalid={invalid || undefined}
                aria-describedby={describedBy}
                onChange={(e) => set(f.name, e.target.value)}
              />
            )}
          </div>
        );
      })}
      <div id={`${id}-problems`} role="alert" className="svc-problems">
        {missing.length ? (
          <p className="error">
            {t('services.missingFields', {
              fields: missing
                .map((n) => label(def.form.find((f) => f.name === n) as FormField))
                .join(t('services.listSep')),
            })}
          </p>
        ) : null}
        {result && !result.eligible ? (
          <div className="error">
            <p>{t('services.notEligible')}</p>
            <ul>
              {result.reasons.map((r) => (
                <li key={r.rule}>{i18n.language === 'en' ? r.reasonEn : r.reasonZh}</li>
              ))}
            </ul>
          </div>
        ) : null}
        {error ? (
          <p className="error">
            {fieldsOfError
              ? t('services.missingFields', { fields: fieldsOfError })
              : t('services.failed', { message: error.message })}
          </p>
        ) : null}
      </div>
      {result?.eligible ? (
        <p className="ok" role="status">
          {t('services.eligible')}
        </p>
      ) : null}
      <button type="button" className="btn btn-secondary" onClick={ask} disabled={check.isPending}>
        {t('services.checkEligibility')}
      </button>
      <fieldset className="svc-consent">
        <legend>{t('services.consentTitle')}</legend>
        <p className="small" lang={i18n.language === 'en' ? 'en' : 'zh-CN'}>
          {consentText(def, i18n.language)}
        </p>
        <p className="small muted">
          {t('services.consentSources', {
            departments: def.consent.departments.map((d) => owners(d)).join(t('services.listSep')),
          })}
        </p>
        {(['yes', 'no'] as const).map((v) => (
          <label key={v} className="svc-radio">
            <input
              type="radio"
              name={`${id}-consent`}
              value={v}
              checked={consent === v}
              aria-describedby={consentAsked && !consent ? `${id}-consent-missing` : undefined}
              onChange={() => setConsent(v)}
            />
            {t(v === 'yes' ? 'services.consentAgree' : 'services.consentRefuse')}
          </label>
        ))}
        {consent === 'no' ? <p className="note small">{t('services.noConsent')}</p> : null}
        {consentAsked && !consent ? (
          <p id={`${id}-consent-missing`} className="error small" role="alert">
            {t('services.consentMissing')}
          </p>
        ) : null}
      </fieldset>
      <button type="submit" className="btn btn-primary" disabled={apply.isPending || check.isPending}>
        {apply.isPending ? t('services.starting') : t('services.start')}
      </button>
    </form>
  );
}

/** The form fields an "incomplete form" refusal names (`details.fields`: "name: required"), as labels. */
function fieldNames(error: ApiError, form: FormField[], label: (f: FormField) => string): string | undefined {
  if (!error.message.startsWith('the form is incomplete')) return undefined;
  const names = form.filter((f) => error.message.includes(`${f.name}:`)).map(label);
  return names.length ? names.join(', ') : undefined;
}
