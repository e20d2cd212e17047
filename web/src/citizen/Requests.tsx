import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client.ts';
import { EmptyState } from '../shared/EmptyState.tsx';
import { noticeText } from '../shared/notices.ts';
import { type Filed, fetchPhotos, fetchStatus, idOfToken, myRequests, remember } from './open311.ts';

/** "My requests": the ones filed from this browser (or added by token), with status, closing note, rating and reopen. */
export function Requests({ focus }: { focus?: string }) {
  const { t } = useTranslation();
  const [list, setList] = useState(myRequests);
  const [token, setToken] = useState('');
  const id = useId();
  const add = useMutation({
    mutationFn: async (tok: string) => {
      const rid = await idOfToken(tok);
      const filed: Filed = { id: rid, token: tok, description: '', filedAt: new Date().toISOString() };
      remember(filed);
      return filed;
    },
    onSuccess: () => setList(myRequests()),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (token.trim()) add.mutate(token.trim());
  };
  return (
    <>
      <section className="card">
        <h2>{t('citizen.myRequests')}</h2>
        {list.length === 0 ? <EmptyState title={t('citizen.noRequests')} /> : null}
      </section>
      {list.map((f) => (
        <RequestCard key={f.id} filed={f} open={focus === f.id || list.length === 1} />
      ))}
      <form className="card form" onSubmit={submit}>
        <label htmlFor={`${id}-token`}>{t('citizen.addByToken')}</label>
        <input
          id={`${id}-token`}
          className="field-input"
          value={token}
          autoCapitalize="none"
          onChange={(e) => setToken(e.target.value)}
        />
        <button type="submit" className="btn btn-secondary" disabled={!token.trim() || add.isPending}>
          {t('citizen.add')}
        </button>
        {add.error ? (
          <p className="error" role="alert">
            {t('citizen.tokenUnknown')}
          </p>
        ) : null}
      </form>
    </>
  );
}

function RequestCard({ filed, open }: { filed: Filed; open: boolean }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const id = useId();
  const status = useQuery({
    queryKey: ['request', filed.id, i18n.language],
    refetchInterval: 10_000,
    queryFn: () => fetchStatus(filed.id, i18n.language),
  });
  const inbox = useQuery({
    queryKey: ['inbox', filed.token],
    refetchInterval: 15_000,
    queryFn: async () =>
      unwrap(await api.GET('/api/v1/citizen/notifications', { params: { query: { token: filed.token } } }))
        .items,
  });
  const photos = useQuery({
    queryKey: ['request-photos', filed.id, status.data?.status],
    enabled: status.isSuccess,
    queryFn: () => fetchPhotos(filed.id, filed.token),
  });
  const mine = photos.data?.filter((p) => p.kind === 'report') ?? [];
  const results = photos.data?.filter((p) => p.kind === 'result') ?? [];
  const [stars, setStars] = useState(0);
  const [comment, setComment] = useState('');
  const [reason, setReason] = useState('');
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ['request', filed.id] });
    void client.invalidateQueries({ queryKey: ['inbox', filed.token] });
  };
  const rate = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/citizen/requests/{id}/rating', {
          params: { path: { id: filed.id } },
          body: { token: filed.token, rating: stars, ...(comment.trim() ? { comment: comment.trim() } : {}) },
        }),
      ),
    onSuccess: refresh,
  });
  const reopen = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/citizen/requests/{id}/reopen', {
          params: { path: { id: filed.id } },
          body: { token: filed.token, reason: reason.trim() },
        }),
      ),
    onSuccess: refresh,
  });
  const s = status.data;
  const closed = s?.status === 'closed';
  return (
    <article className="card request" aria-labelledby={`${id}-title`} data-request={filed.id}>
      <h3 id={`${id}-title`}>
        {t('citizen.trackingNumber')}{' '}
        <span className="tracking">{filed.trackingNo ?? status.data?.trackingNo ?? filed.id}</span>
      </h3>
      {filed.description ? <p>{filed.description}</p> : null}
      <p>
        {t('citizen.status')}:{' '}
        <strong className={`req-status ${closed ? 'closed' : 'open'}`} data-status={s?.status ?? ''}>
          {s
            ? closed
              ? t('citizen.closed')
              : t('citizen.open')
            : status.isError
              ? '—'
              : t('common.loading')}
        </strong>
        {s?.agency ? <span className="small muted"> · {s.agency}</span> : null}
      </p>
      {s?.statusNotes && closed ? (
        <p className="closing-note">
          {t('citizen.closingNote')}: {s.statusNotes}
        </p>
      ) : s?.statusNotes ? (
        <p className="progress-note small">
          {t('citizen.progress')}: {s.statusNotes}
        </p>
      ) : null}
      {mine.length ? (
        <ul className="thumbs" aria-label={t('citizen.myPhotos', { count: mine.length })}>
          {mine.map((p, i) => (
            <li key={p.id}>
              <a href={p.src} target="_blank" rel="noreferrer">
                <img src={p.src} alt={t('citizen.photoN', { n: i + 1 })} />
              </a>
            </li>
          ))}
        </ul>
      ) : null}
      {results.length ? (
        <section className="result-photos" aria-label={t('citizen.resultPhoto')}>
          <p className="small muted">{t('citizen.resultPhoto')}</p>
          {results.map((p, i) => (
            <img
              key={p.id}
              className="result-photo"
              style={{ width: '100%', display: 'block', marginBottom: '0.5rem' }}
              src={p.src}
              alt={results.length > 1 ? `${t('citizen.resultPhoto')} ${i + 1}` : t('citizen.resultPhoto')}
            />
          ))}
        </section>
      ) : null}
      {inbox.data?.length ? (
        <details open={open}>
          <summary>{t('citizen.messages', { count: inbox.data.length })}</summary>
          <ul className="small">
            {inbox.data.map((n) => {
              const text = noticeText(t, n);
              return (
                <li key={n.id} className="notice">
                  <strong>{text.title}</strong> {text.body}
                </li>
              );
            })}
          </ul>
        </details>
      ) : null}
      {closed ? (
        <div className="rate">
          <fieldset>
            <legend>{t('citizen.rate')}</legend>
            <div className="stars" role="radiogroup" aria-label={t('citizen.rate')}>
              {[1, 2, 3, 4, 5].map((n) => (
                // biome-ignore lint/a11y/useSemanticElements: star buttons styled as a radio group
                <button
                  key={n}
                  type="button"
                  role="radio"
                  aria-checked={stars === n}
                  aria-label={t('citizen.stars', { count: n })}
                  className={`star${n <= stars ? ' on' : ''}`}
                  onClick={() => setStars(n)}
                >
                  ★
                </button>
              ))}
            </div>
            <label htmlFor={`${id}-comment`} className="sr-only">
              {t('citizen.comment')}
            </label>
            <input
              id={`${id}-comment`}
              className="field-input"
              placeholder={t('citizen.comment')}
              value={comment}
              onChange={(e) => setComment(e.target.value)}
            />
            <button
              type="button"
              className="btn btn-primary"
              disabled={!stars || rate.isPending}
              onClick={() => rate.mutate()}
            >
              {t('citizen.sendRating')}
            </button>
            {rate.isSuccess ? (
              <p role="status" className="ok">
                {t('citizen.rated', { count: stars })}
              </p>
            ) : null}
            {rate.error ? (
              <p className="error" role="alert">
                {rate.error.message}
              </p>
            ) : null}
          </fieldset>
          <fieldset>
            <legend>{t('citizen.reopen')}</legend>
            <label htmlFor={`${id}-reason`} className="sr-only">
              {t('citizen.reopenReason')}
            </label>
            <input
              id={`${id}-reason`}
              className="field-input"
              placeholder={t('citizen.reopenReason')}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
            />
            <button
              type="button"
              className="btn btn-secondary"
              disabled={reason.trim().length < 2 || reopen.isPending}
              onClick={() => reopen.mutate()}
            >
              {t('citizen.reopen')}
            </button>
            {reopen.isSuccess ? <p role="status">{t('citizen.reopened')}</p> : null}
            {reopen.error ? (
              <p className="error" role="alert">
                {reopen.error.message}
              </p>
            ) : null}
          </fieldset>
        </div>
      ) : null}
    </article>
  );
}
