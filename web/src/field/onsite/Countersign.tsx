import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { OnSiteVisit as Visit } from '../../api/enforcement.ts';
import type { Draft } from './data.ts';
import { bindKey, digestOf, signAsInspector } from './keys.ts';
import { useReason } from './useReason.ts';
import type { OnSiteCheck } from './verify.ts';

/** The record body both parties sign (the server's RecordBody). */
export interface Body {
  visitId: string;
  enterpriseCode: string;
  inspectorId: string;
  findings: { itemId: string; result: 'pass' | 'fail'; note: string }[];
  signedAt: string;
}

/** A refusal of the server, with its details. */
export interface Refusal {
  status: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** The record once filed. */
export interface Filed {
  id: string;
  digest: string;
  creditBefore: number;
  creditAfter: number;
  riskClassAfter: string;
  enterpriseOtc: boolean;
}

export function CountersignCard({
  v,
  inspectorId,
  draft,
  enterpriseCheck,
  inspectorCheck,
  inspectorQr,
  onRefused,
  onFiled,
}: {
  v: Visit;
  inspectorId: string;
  draft: Draft;
  enterpriseCheck: OnSiteCheck | null;
  inspectorCheck: OnSiteCheck | null;
  inspectorQr: string | undefined;
  onRefused: () => void;
  onFiled: (f: Filed) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const client = useQueryClient();
  const reason = useReason();
  const [frozen, setFrozen] = useState<Body | null>(null);
  const [mode, setMode] = useState<'otc' | 'signature'>('otc');
  const [otc, setOtc] = useState('');
  const [signature, setSignature] = useState('');
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [offline, setOffline] = useState(false);
  // The checklist's order, not the order answers were given.
  const findings = useMemo(
    () =>
      v.checklist.flatMap((item) =>
        item.checks.flatMap((c) => {
          const result = draft.answers[c.id];
          return result
            ? [{ itemId: c.id, result, note: result === 'fail' ? (draft.notes[c.id] ?? '').trim() : '' }]
            : [];
        }),
      ),
    [v.checklist, draft],
  );
  // Changing an answer after freezing unfreezes (not scanning a code): both parties sign what is shown.
  const findingsKey = JSON.stringify(findings);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when the findings' content changes.
  useEffect(() => setFrozen(null), [findingsKey]);
  const digest = frozen ? digestOf(frozen) : '';
  const bothVerified = Boolean(enterpriseCheck?.valid && inspectorCheck?.valid);
  const enterpriseSigned =
    mode === 'otc' ? /^\d{6}$/.test(otc.trim()) : /^[A-Za-z0-9_-]{80,90}$/.test(signature.trim());
  const ready = bothVerified && frozen && enterpriseSigned && !busy;
  const prerequisites: [boolean, string][] = [
    [Boolean(inspectorCheck?.valid), t('onsite.pre.inspector')],
    [Boolean(enterpriseCheck?.valid), t('onsite.pre.enterprise')],
    [findings.length > 0, t('onsite.pre.findings')],
    [Boolean(frozen), t('onsite.pre.frozen')],
    [enterpriseSigned, t('onsite.pre.enterpriseSigned')],
  ];

  const submit = async () => {
    if (!frozen || !inspectorQr) return;
    setBusy(true);
    setRefusal(null);
    setOffline(false);
    try {
      const send = async () => {
        await bindKey(inspectorId);
        return api.POST('/api/v1/enforcement/visits/{id}/record', {
          params: { path: { id: v.visit.id } },
          body: {
            inspectorCode: inspectorQr,
            enterpriseCode: draft.enterpriseQr,
            body: frozen,
            inspectorSignature: await signAsInspector(inspectorId, digest),
            ...(mode === 'otc' ? { oneTimeCode: otc.trim() } : { enterpriseSignature: signature.trim() }),
          },
        });
      };
      let r = await send();
      const code = (x: typeof r) => (x.error as { error?: Refusal } | undefined)?.error;
      // This phone's key is not the one the server holds (bound from another phone): bind it again, once.
      if (code(r)?.code === 'bad_countersignature' && code(r)?.details?.party === 'inspector') {
        await bindKey(inspectorId, true);
        r = await send();
      }
      if (r.data && r.response.ok) {
        void client.invalidateQueries({ queryKey: ['enf-my-visits'] });
        onFiled(r.data);
        return;
      }
      const e = code(r);
      setRefusal({
        status: r.response.status,
        code: e?.code ?? 'http_error',
        message: e?.message ?? `HTTP ${r.response.status}`,
        ...(e?.details ? { details: e.details } : {}),
      });
      // A code refused by the server: the cached status list may be old; fetch it again.
      if (e?.code === 'code_refused') onRefused();
    } catch (err) {
      if (err instanceof TypeError || !navigator.onLine) setOffline(true);
      else
        setRefusal({ status: 0, code: 'client', message: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card onsite-sign" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{t('onsite.step4')}</h2>
      <ul className="prereq">
        {prerequisites.map(([ok, what]) => (
          <li key={what} className={ok ? 'ok' : 'missing'}>
            <span aria-hidden="true">{ok ? '✓' : '✗'}</span> {what}
            <span className="sr-only">{ok ? t('onsite.done') : t('onsite.notYet')}</span>
          </li>
        ))}
      </ul>
      {!bothVerified ? (
        <p className="small warn" data-unverified>
          {t('onsite.bothCodesRequired')}
          {enterpriseCheck && !enterpriseCheck.valid
            ? ` ${t('onsite.enterpriseInvalid', { reason: reason(enterpriseCheck) })}`
            : ''}
        </p>
      ) : null}
      {frozen ? (
        <>
          <p className="small">{t('onsite.frozen', { count: frozen.findings.length })}</p>
          <p className="tracking small" data-digest>
            {t('onsite.digest')} {digest}
          </p>
          <button type="button" className="btn btn-ghost" onClick={() => setFrozen(null)}>
            {t('onsite.unfreeze')}
          </button>
        </>
      ) : (
        <button
          type="button"
          className="btn btn-secondary"
          disabled={findings.length === 0}
          onClick={() =>
            setFrozen({
              visitId: v.visit.id,
              enterpriseCode: v.enterprise.creditCode,
              inspectorId,
              findings,
              signedAt: new Date().toISOString(),
            })
          }
        >
          {t('onsite.freeze')}
        </button>
      )}
      <fieldset className="onsite-mode">
        <legend>{t('onsite.enterpriseSigns')}</legend>
        <label className="choice">
          <input type="radio" name={`${id}-mode`} checked={mode === 'otc'} onChange={() => setMode('otc')} />{' '}
          {t('onsite.byOtc')}
        </label>
        <label className="choice">
          <input
            type="radio"
            name={`${id}-mode`}
            checked={mode === 'signature'}
            onChange={() => setMode('signature')}
          />{' '}
          {t('onsite.bySignature')}
        </label>
      </fieldset>
      {mode === 'otc' ? (
        <>
          <label className="onsite-label" htmlFor={`${id}-otc`}>
            {t('onsite.otc')}
          </label>
          <input
            id={`${id}-otc`}
            className="field-input"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            value={otc}
            onChange={(e) => setOtc(e.target.value)}
          />
        </>
      ) : (
        <>
          <label className="onsite-label" htmlFor={`${id}-sig`}>
            {t('onsite.signature')}
          </label>
          <textarea
            id={`${id}-sig`}
            className="field-input code-text"
            rows={3}
            spellCheck={false}
            value={signature}
            onChange={(e) => setSignature(e.target.value)}
          />
          <p className="small muted">{t('onsite.signatureNote')}</p>
        </>
      )}
      <p className="small muted">{t('onsite.inspectorSigns')}</p>
      <button type="button" className="btn btn-primary" disabled={!ready} onClick={() => void submit()}>
        {busy ? t('onsite.submitting') : t('onsite.submit')}
      </button>
      {offline ? (
        <p className="small warn" role="alert">
          {t('onsite.offlineSubmit')}
        </p>
      ) : null}
      {refusal ? <RefusalNote refusal={refusal} /> : null}
    </section>
  );
}

/** The server's refusal in words: which code and why, which finding, whose signature. */
export function RefusalNote({ refusal }: { refusal: Refusal }) {
  const { t } = useTranslation();
  const d = refusal.details ?? {};
  let text: string;
  if (refusal.code === 'code_refused')
    text = t('onsite.refused.code_refused', {
      which: t(`onsite.which.${String(d.code)}`, String(d.code)),
      reason: t(`onsite.reasons.${String(d.reason)}`, String(d.reason)),
    });
  else if (refusal.code === 'finding_outside_checklist')
    text = t('onsite.refused.finding_outside_checklist', {
      items: Array.isArray(d.items) ? d.items.join(', ') : '',
    });
  else if (refusal.code === 'bad_countersignature')
    text = t(`onsite.refused.bad_countersignature_${d.party === 'inspector' ? 'inspector' : 'enterprise'}`);
  else if (refusal.code === 'conflict') text = t('onsite.refused.conflict');
  else if (refusal.code === 'forbidden') text = t('onsite.refused.forbidden');
  else text = t('onsite.refused.other', { message: refusal.message });
  return (
    <div className="refusal" role="alert" data-refusal={refusal.code}>
      <p>
        <strong>{t('onsite.refused.title', { status: refusal.status })}</strong>
      </p>
      <p>{text}</p>
      <p className="small muted">
        {refusal.code}: {refusal.message}
      </p>
    </div>
  );
}

export function FiledCard({ filed }: { filed: Filed }) {
  const { t } = useTranslation();
  return (
    <section className="card done-confirm" role="status" data-record={filed.id}>
      <h2>{t('onsite.filedTitle')}</h2>
      <p>
        {t('onsite.filedCredit', {
          before: filed.creditBefore,
          after: filed.creditAfter,
          cls: filed.riskClassAfter,
        })}
      </p>
      <p className="small">{filed.enterpriseOtc ? t('onsite.filedOtc') : t('onsite.filedKey')}</p>
      <p className="tracking small">
        {t('onsite.digest')} {filed.digest}
      </p>
    </section>
  );
}
