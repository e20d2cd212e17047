import QRCode from 'qrcode';
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OnSiteVisit as Visit } from '../../api/enforcement.ts';
import { EmptyState } from '../../shared/EmptyState.tsx';
import { CountersignCard, type Filed, FiledCard } from './Countersign.tsx';
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
import { closeVisit } from './route.ts';
import { decodeFile, scanCamera } from './scan.ts';
import { useReason } from './useReason.ts';
import { holderOf, type OnSiteCheck, verifyOnSite } from './verify.ts';

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
