import { useQueryClient } from '@tanstack/react-query';
import QRCode from 'qrcode';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { OnSiteVisit as Visit } from '../../api/enforcement.ts';
import { EmptyState } from '../../shared/EmptyState.tsx';
import {
  type Draft,
  dropDraft,
  readDraft,
  type Trust,
  useMyCode,
  useMyVisits,
  useTrust,
  writeDraft,
} from './data.ts';
import { bindKey, digestOf, signAsInspector } from './keys.ts';
import { closeVisit } from './route.ts';
import { decodeFile, scanCamera } from './scan.ts';
import { holderOf, type OnSiteCheck, verifyOnSite } from './verify.ts';

/** The record body both parties sign (the server's RecordBody). */
interface Body {
  visitId: string;
  enterpriseCode: string;
  inspectorId: string;
  findings: { itemId: string; result: 'pass' | 'fail'; note: string }[];
  signedAt: string;
}

/** A refusal of the server, with its details. */
interface Refusal {
  status: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** The record once filed. */
interface Filed {
  id: string;
  digest: string;
  creditBefore: number;
  creditAfter: number;
  riskClassAfter: string;
  enterpriseOtc: boolean;
}

/**
 * One visit on site: the enterprise, the 企业码 scanned (camera, photo or typed) and verified offline,
 * my 执法码 shown for the enterprise to scan, the published checklist (nothing else can be entered),
 * the record frozen and countersigned (my key; the enterprise's key or one-time code) and filed.
 */
export default function OnSiteVisit({ visitId }: { visitId: string }) {
  const { t } = useTranslation();
  const mine = useMyVisits();
  const v = mine.data?.visits.find((x) => x.visit.id === visitId);
  const inspector = mine.data?.inspector;
  const [filed, setFiled] = useState<Filed | null>(null);
  return (
    <>
      <nav className="onsite-nav">
        <button type="button" className="btn btn-ghost" onClick={closeVisit}>
          ← {t('onsite.back')}
        </button>
      </nav>
      {filed ? (
        <FiledCard filed={filed} />
      ) : !v || !inspector ? (
        <section className="card">
          <EmptyState
            title={mine.isPending ? t('common.loading') : t('onsite.notFound')}
            note={t('onsite.notFoundNote')}
          />
        </section>
      ) : (
        <VisitWork v={v} inspectorId={inspector.id} onFiled={setFiled} />
      )}
    </>
  );
}

function VisitWork({
  v,
  inspectorId,
  onFiled,
}: {
  v: Visit;
  inspectorId: string;
  onFiled: (f: Filed) => void;
}) {
  const trust = useTrust();
  const myCode = useMyCode(inspectorId);
  const [draft, setDraft] = useState<Draft>(() => readDraft(v.visit.id));
  const update = (d: Draft) => {
    setDraft(d);
    writeDraft(v.visit.id, d);
  };
  const [enterpriseCheck, setEnterpriseCheck] = useState<OnSiteCheck | null>(null);
  const [inspectorCheck, setInspectorCheck] = useState<OnSiteCheck | null>(null);
  // Re-verified whenever the code, the cached keys or the status list change.
  useEffect(() => {
    let live = true;
    if (draft.enterpriseQr)
      void verifyOnSite(draft.enterpriseQr, trust.data, {
        kind: 'enterprise',
        subject: v.enterprise.creditCode,
      }).then((c) => live && setEnterpriseCheck(c));
    else setEnterpriseCheck(null);
    return () => {
      live = false;
    };
  }, [draft.enterpriseQr, trust.data, v.enterprise.creditCode]);
  useEffect(() => {
    let live = true;
    if (myCode.data?.qr)
      void verifyOnSite(myCode.data.qr, trust.data, { kind: 'inspector', subject: inspectorId }).then(
        (c) => live && setInspectorCheck(c),
      );
    return () => {
      live = false;
    };
  }, [myCode.data?.qr, trust.data, inspectorId]);

  return (
    <>
      <EnterpriseCard v={v} />
      <ScanCard
        check={enterpriseCheck}
        trust={trust.data}
        qr={draft.enterpriseQr}
        onCode={(qr) => update({ ...draft, enterpriseQr: qr.trim() })}
      />
      <MyCodeCard qr={myCode.data?.qr} expiresAt={myCode.data?.expiresAt} check={inspectorCheck} />
      <ChecklistCard v={v} draft={draft} onChange={update} />
      <CountersignCard
        v={v}
        inspectorId={inspectorId}
        draft={draft}
        enterpriseCheck={enterpriseCheck}
        inspectorCheck={inspectorCheck}
        inspectorQr={myCode.data?.qr}
        onRefused={() => void trust.refetch()}
        onFiled={(f) => {
          dropDraft(v.visit.id);
          onFiled(f);
        }}
      />
    </>
  );
}

function EnterpriseCard({ v }: { v: Visit }) {
  const { t } = useTranslation();
  const e = v.enterprise;
  return (
    <section className="card onsite-enterprise" aria-labelledby="onsite-ent">
      <h2 id="onsite-ent">{e.name}</h2>
      <p className="credit-code">
        <span className="small muted">{t('onsite.creditCode')}</span> {e.creditCode}
      </p>
      <dl className="facts">
        <dt>{t('onsite.industry')}</dt>
        <dd>{t(`onsite.industries.${e.industry}`, e.industry)}</dd>
        <dt>{t('onsite.credit')}</dt>
        <dd>{t('onsite.creditValue', { score: e.creditScore, cls: e.riskClass })}</dd>
        <dt>{t('onsite.departments')}</dt>
        <dd>{v.visit.departments.map((d) => t(`draws.departments.${d}`, d)).join('、')}</dd>
        <dt>{t('onsite.leadLabel')}</dt>
        <dd>{t(`draws.departments.${v.visit.leadDepartment}`, v.visit.leadDepartment)}</dd>
        <dt>{t('onsite.windowLabel')}</dt>
        <dd>
          <span className="nowrap">{v.visit.start}</span> {t('onsite.to')}{' '}
          <span className="nowrap">{v.visit.end}</span>
        </dd>
      </dl>
      {v.visit.flagged ? (
        <p className="small warn">{t('onsite.flagged', { reason: v.visit.reason ?? '' })}</p>
      ) : null}
      {e.synthetic ? <p className="small muted">{t('onsite.synthetic')}</p> : null}
    </section>
  );
}

/** The reason of a check in words. */
function useReason() {
  const { t } = useTranslation();
  return (check: OnSiteCheck) =>
    check.valid ? t('onsite.valid') : t(`onsite.reasons.${check.reason}`, check.reason);
}

function CheckLine({ check, what }: { check: OnSiteCheck | null; what: 'enterprise' | 'inspector' }) {
  const { t } = useTranslation();
  const reason = useReason();
  if (!check) return null;
  return (
    <p
      className={check.valid ? 'verdict ok' : 'verdict bad'}
      role="status"
      data-verdict={check.valid ? 'valid' : check.reason}
    >
      <strong>
        {check.valid ? t(`onsite.${what}Valid`) : t(`onsite.${what}Invalid`, { reason: reason(check) })}
      </strong>
      {check.valid ? (
        <span className="small">
          {' '}
          {t('onsite.validUntil', { date: new Date(check.claims.exp * 1000).toLocaleDateString() })}
        </span>
      ) : null}
      {!check.valid && check.reason === 'wrong_holder' && 'holder' in check ? (
        <span className="small"> {t('onsite.holderIs', { holder: check.holder })}</span>
      ) : null}
      <span className="small muted"> {t('onsite.verifiedIn', { ms: check.ms.toFixed(1) })}</span>
    </p>
  );
}

function ScanCard({
  check,
  trust,
  qr,
  onCode,
}: {
  check: OnSiteCheck | null;
  trust: Trust | undefined;
  qr: string;
  onCode: (qr: string) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const video = useRef<HTMLVideoElement>(null);
  const [scanning, setScanning] = useState<AbortController | null>(null);
  const [problem, setProblem] = useState('');
  const [typed, setTyped] = useState('');
  useEffect(() => () => scanning?.abort(), [scanning]);
  const startCamera = async () => {
    setProblem('');
    const ctl = new AbortController();
    setScanning(ctl);
    // The video element is rendered once scanning is set.
    await new Promise((r) => requestAnimationFrame(r));
    try {
      if (!video.current) throw new Error('no_camera');
      onCode(await scanCamera(video.current, ctl.signal));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (message !== 'aborted') setProblem(t('onsite.cameraFailed'));
    } finally {
      setScanning(null);
    }
  };
  return (
    <section className="card onsite-scan" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{t('onsite.step1')}</h2>
      <p className="small muted">{t('onsite.step1Note')}</p>
      <div className="row">
        {scanning ? (
          <button type="button" className="btn btn-secondary" onClick={() => scanning.abort()}>
            {t('onsite.stopCamera')}
          </button>
        ) : (
          <button type="button" className="btn btn-primary" onClick={() => void startCamera()}>
            {t('onsite.scanCamera')}
          </button>
        )}
      </div>
      {scanning ? (
        // biome-ignore lint/a11y/useMediaCaption: a live camera preview has no speech to caption.
        <video ref={video} className="onsite-video" aria-label={t('onsite.cameraPreview')} />
      ) : null}
      <label className="onsite-label" htmlFor={`${id}-file`}>
        {t('onsite.scanPhoto')}
      </label>
      <input
        id={`${id}-file`}
        type="file"
        accept="image/*"
        capture="environment"
        onChange={async (e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (!file) return;
          setProblem('');
          const text = await decodeFile(file).catch(() => null);
          if (text) onCode(text);
          else setProblem(t('onsite.noQrInPhoto'));
        }}
      />
      <label className="onsite-label" htmlFor={`${id}-typed`}>
        {t('onsite.typeCode')}
      </label>
      <textarea
        id={`${id}-typed`}
        className="field-input code-text"
        rows={3}
        spellCheck={false}
        autoCapitalize="characters"
        value={typed}
        onChange={(e) => setTyped(e.target.value)}
        placeholder="CB1:…"
      />
      <button
        type="button"
        className="btn btn-secondary"
        disabled={typed.trim().length === 0}
        onClick={() => {
          onCode(typed);
          setTyped('');
        }}
      >
        {t('onsite.verifyTyped')}
      </button>
      {problem ? (
        <p className="error small" role="alert">
          {problem}
        </p>
      ) : null}
      {qr ? (
        <p className="small muted code-of">
          {t('onsite.scannedHolder', { holder: holderOf(qr) ?? '—', bytes: qr.length })}
        </p>
      ) : null}
      <CheckLine check={check} what="enterprise" />
      <TrustNote trust={trust} />
    </section>
  );
}

function TrustNote({ trust }: { trust: Trust | undefined }) {
  const { t } = useTranslation();
  if (!trust) return <p className="small error">{t('onsite.noTrust')}</p>;
  return (
    <p className="small muted">
      {t('onsite.trustNote', {
        keys: trust.keys.keys.length,
        at: new Date(trust.fetchedAt).toLocaleString(),
        revoked: trust.status.revoked,
      })}
    </p>
  );
}

function MyCodeCard({
  qr,
  expiresAt,
  check,
}: {
  qr: string | undefined;
  expiresAt: string | undefined;
  check: OnSiteCheck | null;
}) {
  const { t } = useTranslation();
  const [svg, setSvg] = useState('');
  useEffect(() => {
    if (!qr) return;
    let live = true;
    void QRCode.toString(qr, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }).then(
      (s) => live && setSvg(s),
    );
    return () => {
      live = false;
    };
  }, [qr]);
  return (
    <section className="card onsite-mycode" aria-labelledby="onsite-mycode">
      <h2 id="onsite-mycode">{t('onsite.step2')}</h2>
      <p className="small muted">{t('onsite.step2Note')}</p>
      {qr && svg ? (
        <img
          className="qr"
          src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`}
          alt={t('onsite.myCodeAlt')}
          width={240}
          height={240}
        />
      ) : (
        <p className="small error">{t('onsite.noMyCode')}</p>
      )}
      {expiresAt ? (
        <p className="small">{t('onsite.myCodeExpires', { at: new Date(expiresAt).toLocaleString() })}</p>
      ) : null}
      <CheckLine check={check} what="inspector" />
      {qr ? (
        <details>
          <summary>{t('onsite.codeText')}</summary>
          <p className="tracking small" data-my-code>
            {qr}
          </p>
        </details>
      ) : null}
    </section>
  );
}

function ChecklistCard({ v, draft, onChange }: { v: Visit; draft: Draft; onChange: (d: Draft) => void }) {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const answered = Object.keys(draft.answers).length;
  const total = v.checklist.reduce((n, c) => n + c.checks.length, 0);
  return (
    <section className="card onsite-checklist" aria-labelledby="onsite-checklist">
      <h2 id="onsite-checklist">{t('onsite.step3')}</h2>
      <p className="small muted">{t('onsite.step3Note')}</p>
      <p className="small" role="status">
        {t('onsite.answered', { answered, total })}
      </p>
      {v.checklist.map((item) => (
        <div key={item.itemId} className="onsite-item" data-item={item.itemId}>
          <h3>
            {en ? item.en : item.zh}{' '}
            <span className="small muted">{t(`draws.departments.${item.department}`, item.department)}</span>
          </h3>
          <p className="small muted legal">{item.legalBasis}</p>
          {item.checks.map((c) => {
            const answer = draft.answers[c.id];
            const set = (result: 'pass' | 'fail' | undefined) => {
              const answers = { ...draft.answers };
              if (result) answers[c.id] = result;
              else delete answers[c.id];
              onChange({ ...draft, answers });
            };
            return (
              <fieldset key={c.id} className="onsite-check" data-check={c.id}>
                <legend>
                  <span className="check-id small muted">{c.id}</span> {en ? c.en : c.zh}
                </legend>
                <div className="row choices">
                  {(['pass', 'fail'] as const).map((r) => (
                    <label key={r} className={`choice ${answer === r ? `chosen ${r}` : ''}`}>
                      <input
                        type="radio"
                        name={`check-${c.id}`}
                        value={r}
                        checked={answer === r}
                        onChange={() => set(r)}
                      />{' '}
                      {t(`onsite.result.${r}`)}
                    </label>
                  ))}
                  {answer ? (
                    <button type="button" className="btn btn-ghost small" onClick={() => set(undefined)}>
                      {t('onsite.clear')}
                    </button>
                  ) : null}
                </div>
                {answer === 'fail' ? (
                  <label className="note-label">
                    {t('onsite.findingNote')}
                    <input
                      className="field-input"
                      value={draft.notes[c.id] ?? ''}
                      maxLength={500}
                      onChange={(e) =>
                        onChange({ ...draft, notes: { ...draft.notes, [c.id]: e.target.value } })
                      }
                    />
                  </label>
                ) : null}
              </fieldset>
            );
          })}
        </div>
      ))}
    </section>
  );
}

function CountersignCard({
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
function RefusalNote({ refusal }: { refusal: Refusal }) {
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

function FiledCard({ filed }: { filed: Filed }) {
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
