import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  type Certificate,
  fetchCertificatePdf,
  useCertificateCheck,
  useCertificates,
} from '../../api/services.ts';
import { download } from '../../shared/csv.ts';
import { useDepartmentNames } from '../../shared/names.ts';

/**
 * The electronic certificates of a completed application (one per item): each with its number,
 * issuer and dates, what the public verification says of its QR text, and its PDF — fetched with
 * the bearer token and offered as a file (a plain link would go without the token).
 */
export function Certificates({ applicationId }: { applicationId: string }) {
  const { t } = useTranslation();
  const list = useCertificates(applicationId, true);
  const deptName = useDepartmentNames((list.data ?? []).map((c) => c.claims.issuer));
  return (
    <section className="card" aria-labelledby="svc-certs-title">
      <h3 id="svc-certs-title">{t('services.certificates.title')}</h3>
      <p className="muted small">{t('services.certificates.note')}</p>
      {list.isError ? (
        <p className="error" role="alert">
          {t('services.failed', { message: list.error.message })}
        </p>
      ) : list.isPending ? (
        <p className="muted small">{t('common.loading')}</p>
      ) : list.data.length === 0 ? (
        <p className="muted small">{t('services.certificates.none')}</p>
      ) : (
        <ul className="svc-certs">
          {list.data.map((c) => (
            <CertificateRow
              key={c.number}
              applicationId={applicationId}
              cert={c}
              issuer={deptName(c.claims.issuer)}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function CertificateRow({
  applicationId,
  cert: c,
  issuer,
}: {
  applicationId: string;
  cert: Certificate;
  issuer: string;
}) {
  const { t, i18n } = useTranslation();
  const check = useCertificateCheck(c.qr);
  const [state, setState] = useState<'idle' | 'busy' | 'done' | 'failed'>('idle');
  const [failure, setFailure] = useState('');
  const title = i18n.language === 'en' ? c.claims.titleEn : c.claims.title;
  const save = async () => {
    setState('busy');
    try {
      const blob = await fetchCertificatePdf(applicationId, c.number);
      download(`${c.number}.pdf`, blob, 'application/pdf');
      setState('done');
    } catch (err) {
      setFailure((err as Error).message);
      setState('failed');
    }
  };
  const reason = check.data?.reason;
  return (
    <li className="svc-cert" data-number={c.number}>
      <div className="svc-step-head">
        <strong id={`cert-${c.number}`}>{title}</strong>
        <span
          className={`badge ${reason === 'ok' ? 'step-approved' : reason ? 'step-rejected' : ''}`}
          data-verify={reason ?? 'pending'}
        >
          {reason ? t(`services.certificates.verify.${reason}`) : t('services.certificates.verifying')}
        </span>
      </div>
      <dl className="record small">
        <div>
          <dt>{t('services.certificates.number')}</dt>
          <dd>{c.number}</dd>
        </div>
        {c.claims.subject ? (
          <div>
            <dt>{t('services.certificates.subject')}</dt>
            <dd>{c.claims.subject}</dd>
          </div>
        ) : null}
        <div>
          <dt>{t('services.certificates.issuer')}</dt>
          <dd>{issuer}</dd>
        </div>
        <div>
          <dt>{t('services.certificates.issued')}</dt>
          <dd>
            <time dateTime={c.issuedAt}>{new Date(c.issuedAt).toLocaleString()}</time>
          </dd>
        </div>
        <div>
          <dt>{t('services.certificates.validity')}</dt>
          <dd>
            {c.claims.validUntil
              ? t('services.certificates.validUntil', {
                  from: c.claims.validFrom,
                  until: c.claims.validUntil,
                })
              : t('services.certificates.noExpiry', { from: c.claims.validFrom })}
          </dd>
        </div>
      </dl>
      {check.isError ? (
        <p className="error small">{t('services.failed', { message: check.error.message })}</p>
      ) : null}
      <details className="small">
        <summary>{t('services.certificates.qr')}</summary>
        <p className="muted">{t('services.certificates.qrNote')}</p>
        <code className="svc-qr">{c.qr}</code>
      </details>
      <button
        type="button"
        className="btn btn-secondary"
        onClick={save}
        disabled={state === 'busy'}
        aria-describedby={`cert-${c.number}`}
      >
        {state === 'busy' ? t('services.certificates.downloading') : t('services.certificates.download')}
      </button>
      <span className="small" role="status">
        {state === 'done'
          ? t('services.certificates.downloaded')
          : state === 'failed'
            ? t('services.certificates.downloadFailed', { message: failure })
            : ''}
      </span>
    </li>
  );
}
