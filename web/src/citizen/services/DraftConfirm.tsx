import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client.ts';
import { type Application, type Material, useSubmit } from '../../api/services.ts';
import { type BundleDefinition, titleOf } from '../../shared/bundles.ts';
import { MaterialRecord, useFieldTitles } from '../../shared/MaterialRecord.tsx';
import { useDepartmentNames } from '../../shared/names.ts';
import { MaterialInput } from './MaterialInput.tsx';
import { RULES } from './plan.ts';

/** The server's refusal of a material, in the reader's language when it is one of its known rules. */
export function useRuleText() {
  const { t } = useTranslation();
  return (rule: string) => {
    const key = RULES[rule];
    return key ? t(`services.rules.${key}`) : rule;
  };
}

/** The materials an `invalid_data` refusal names (`details.materials`), by code. */
export function refusedMaterials(error: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!(error instanceof ApiError)) return out;
  // The message lists them as "code (rule)"; the details carry the same, but ApiError keeps the message only.
  for (const m of error.message.matchAll(/([a-z][a-z0-9-]*) \(([^)]+)\)/g))
    if (m[1] && m[2]) out.set(m[1], m[2]);
  return out;
}

/**
 * A draft: the records read from departments' shared data, shown for the applicant to confirm (or
 * to replace with their own), what no department holds asked for, and the filing.
 */
export function DraftConfirm({ app, def }: { app: Application; def: BundleDefinition | undefined }) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const submit = useSubmit();
  const ruleText = useRuleText();
  const [confirmed, setConfirmed] = useState<Set<string>>(new Set());
  const [replacing, setReplacing] = useState<Set<string>>(new Set());
  const [provided, setProvided] = useState<Record<string, string>>({});
  const [missing, setMissing] = useState<string[]>([]);
  const fetched = app.materials.filter((m) => m.status === 'fetched');
  const needed = app.materials.filter((m) => m.status === 'needed');
  const produced = app.materials.filter((m) => m.origin === 'item');
  const fieldTitle = useFieldTitles(fetched.flatMap((m) => (m.resourceId ? [m.resourceId] : [])));
  const deptName = useDepartmentNames(fetched.flatMap((m) => (m.owner ? [m.owner] : [])));
  const refused = refusedMaterials(submit.error);
  const title = (m: Material) => titleOf(m, i18n.language);
  const itemTitle = (code: string | undefined) => {
    const item = def?.items.find((i) => i.code === code);
    return item ? titleOf(item, i18n.language) : (code ?? '');
  };
  const give = (code: string, value: string | undefined) =>
    setProvided((p) => {
      const { [code]: _, ...rest } = p;
      return value === undefined ? rest : { ...rest, [code]: value };
    });
  const toggle = (set: Set<string>, code: string, on: boolean) => {
    const next = new Set(set);
    if (on) next.add(code);
    else next.delete(code);
    return next;
  };
  const send = (e: FormEvent) => {
    e.preventDefault();
    const left = [
      ...fetched.filter((m) => (replacing.has(m.code) ? !provided[m.code] : !confirmed.has(m.code))),
      ...needed.filter((m) => !provided[m.code]),
    ].map((m) => m.code);
    setMissing(left);
    if (left.length) return;
    submit.mutate({
      id: app.id,
      confirm: fetched.filter((m) => !replacing.has(m.code)).map((m) => m.code),
      provided: Object.fromEntries(
        Object.entries(provided).filter(
          ([code]) => !fetched.some((m) => m.code === code) || replacing.has(code),
        ),
      ),
    });
  };
  const titleByCode = (code: string) => {
    const m = app.materials.find((x) => x.code === code);
    return m ? title(m) : code;
  };
  return (
    <form className="svc-draft" onSubmit={send} aria-labelledby={`${id}-title`} noValidate>
      <h2 id={`${id}-title`} className="sr-only">
        {t('services.confirmTitle')}
      </h2>
      <section className="card" aria-labelledby={`${id}-fetched`}>
        <h3 id={`${id}-fetched`}>{t('services.fetchedTitle', { count: fetched.length })}</h3>
        <p className="muted small">
          {app.consentAt ? t('services.fetchedNote') : t('services.noConsentNote')}
        </p>
        {fetched.length > 1 ? (
          <button
            type="button"
            className="btn btn-secondary"
            onClick={() =>
              setConfirmed(new Set(fetched.filter((m) => !replacing.has(m.code)).map((m) => m.code)))
            }
          >
            {t('services.confirmAll')}
          </button>
        ) : null}
        <ul className="svc-materials">
          {fetched.map((m) => (
            <li key={m.code} className="svc-material" data-material={m.code}>
              <div className="svc-step-head">
                <strong>{title(m)}</strong>
                <span className="badge src-shared">{t('services.origin.shared_data')}</span>
              </div>
              <p className="small muted">
                {t('services.heldBy', { department: m.owner ? deptName(m.owner) : '—' })}
              </p>
              <MaterialRecord material={m} fieldTitle={fieldTitle} />
              {replacing.has(m.code) ? (
                <MaterialInput
                  id={`${id}-own-${m.code}`}
                  material={{ ...m, format: m.format ?? 'file' }}
                  label={t('services.ownInstead', { title: title(m) })}
                  error={refused.get(m.code) ? ruleText(refused.get(m.code) as string) : undefined}
                  onChange={(v) => give(m.code, v)}
                />
              ) : (
                <label className="svc-check">
                  <input
                    type="checkbox"
                    checked={confirmed.has(m.code)}
                    aria-invalid={missing.includes(m.code) || undefined}
                    onChange={(e) => setConfirmed((c) => toggle(c, m.code, e.target.checked))}
                  />
                  {t('services.confirmThis', { title: title(m) })}
                </label>
              )}
              <button
                type="button"
                className="btn btn-ghost svc-small-btn"
                onClick={() => {
                  const on = !replacing.has(m.code);
                  setReplacing((r) => toggle(r, m.code, on));
                  if (!on) give(m.code, undefined);
                }}
              >
                {replacing.has(m.code) ? t('services.useRecord') : t('services.notRight')}
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section className="card" aria-labelledby={`${id}-needed`}>
        <h3 id={`${id}-needed`}>{t('services.neededTitle', { count: needed.length })}</h3>
        {needed.length === 0 ? <p className="ok">{t('services.nothingNeeded')}</p> : null}
        <ul className="svc-materials">
          {needed.map((m) => (
            <li key={m.code} className="svc-material" data-material={m.code}>
              <MaterialInput
                id={`${id}-give-${m.code}`}
                material={m}
                error={refused.get(m.code) ? ruleText(refused.get(m.code) as string) : undefined}
                onChange={(v) => give(m.code, v)}
              />
              {m.note ? <p className="small muted">{t('services.whyAsked')}</p> : null}
            </li>
          ))}
        </ul>
      </section>
      <section className="card" aria-labelledby={`${id}-produced`}>
        <h3 id={`${id}-produced`}>{t('services.producedTitle', { count: produced.length })}</h3>
        <ul className="svc-list">
          {produced.map((m) => (
            <li key={m.code}>
              {title(m)}{' '}
              <span className="muted small">· {t('services.producedBy', { item: itemTitle(m.item) })}</span>
            </li>
          ))}
        </ul>
      </section>
      <div className="card svc-submit">
        <p className="small">
          {t('services.submitSummary', {
            shared: fetched.length,
            yours: needed.length,
            produced: produced.length,
          })}
        </p>
        <div role="alert">
          {missing.length ? (
            <p className="error">
              {t('services.stillMissing', {
                materials: missing.map(titleByCode).join(t('services.listSep')),
              })}
            </p>
          ) : null}
          {submit.error ? (
            <p className="error">
              {refused.size
                ? t('services.refused', {
                    materials: [...refused]
                      .map(([c, r]) => `${titleByCode(c)}：${ruleText(r)}`)
                      .join(t('services.listSep')),
                  })
                : t('services.failed', { message: submit.error.message })}
            </p>
          ) : null}
        </div>
        <button type="submit" className="btn btn-primary" disabled={submit.isPending}>
          {submit.isPending ? t('services.submitting') : t('services.submit')}
        </button>
      </div>
    </form>
  );
}
