import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, lazy, Suspense, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client.ts';
import { placeName } from '../i18n.ts';
import { navigate } from '../router.ts';
import { AddressSearch } from './AddressSearch.tsx';
import { fileRequest, PhotoUploadError, remember, uploadPhoto, useOpen311 } from './open311.ts';
import { TokenBox } from './TokenBox.tsx';

const PinMap = lazy(() => import('../map/PinMap.tsx'));

type Point = { lon: number; lat: number };

/** Photos one request may carry (the server's limit). */
const MAX_PHOTOS = 6;

/** The complaint form: description, photos, and a place from the map or the device's location. */
export function ComplaintForm() {
  const { t, i18n } = useTranslation();
  const id = useId();
  const open311 = useOpen311();
  const [description, setDescription] = useState('');
  const [photos, setPhotos] = useState<File[]>([]);
  const [point, setPoint] = useState<Point>();
  // A place found by name is shown close up; a tap on the map keeps the view.
  const [zoomIn, setZoomIn] = useState(false);
  const [service, setService] = useState('');
  const [geoError, setGeoError] = useState('');
  const [uploaded, setUploaded] = useState<{ done: number; total: number }>();
  const located = useQuery({
    queryKey: ['locate', point?.lon, point?.lat],
    enabled: Boolean(point),
    retry: false,
    queryFn: async () => unwrap(await api.GET('/api/v1/jurisdictions/locate', { params: { query: point! } })),
  });
  const file = useMutation({
    // Photos first (one by one, shrunk when big), then the request that names them.
    mutationFn: async () => {
      const sent = [];
      setUploaded({ done: 0, total: photos.length });
      for (const photo of photos) {
        sent.push(await uploadPhoto(photo));
        setUploaded({ done: sent.length, total: photos.length });
      }
      const filed = await fileRequest({
        serviceCode: service || open311.data?.services[0]?.code || '',
        description: description.trim(),
        lon: point!.lon,
        lat: point!.lat,
        photos: sent,
      });
      return { ...filed, photos: sent.length };
    },
    onSuccess: remember,
    onSettled: () => setUploaded(undefined),
  });
  const available = Boolean(open311.data?.available);
  const previews = usePreviews(photos);

  // Photos taken or chosen add up (at most six); the input is emptied so the same file can be picked again.
  const addPhotos = (input: HTMLInputElement) => {
    const picked = [...(input.files ?? [])];
    input.value = '';
    setPhotos((list) => [...list, ...picked].slice(0, MAX_PHOTOS));
  };
  const locateMe = () => {
    setGeoError('');
    if (!navigator.geolocation) return setGeoError(t('citizen.geoUnsupported'));
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setZoomIn(true);
        setPoint({ lon: round(pos.coords.longitude), lat: round(pos.coords.latitude) });
      },
      (err) => setGeoError(t('citizen.geoFailed', { message: err.message })),
      { enableHighAccuracy: true, timeout: 10_000 },
    );
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (available && description.trim() && point) file.mutate();
  };

  if (file.data) {
    const filed = file.data;
    return (
      <section className="card" aria-live="polite">
        <h2>{t('citizen.filed')}</h2>
        <p>
          {t('citizen.trackingNumber')}: <strong className="tracking">{filed.trackingNo ?? filed.id}</strong>
        </p>
        <TokenBox filed={filed} />
        {filed.photos ? <p className="small">{t('citizen.photosSent', { count: filed.photos })}</p> : null}
        {filed.notice ? <p className="small">{filed.notice}</p> : null}
        <div className="row">
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => navigate(`/citizen/requests?id=${encodeURIComponent(filed.id)}`)}
          >
            {t('citizen.follow')}
          </button>
          <button
            type="button"
            className="btn btn-secondary"
            onClick={() => {
              file.reset();
              setPhotos([]);
            }}
          >
            {t('citizen.another')}
          </button>
        </div>
      </section>
    );
  }
  return (
    <form className="card form" onSubmit={submit} aria-describedby={`${id}-status`}>
      <h2>{t('citizen.formTitle')}</h2>
      <p id={`${id}-status`} className={available ? 'muted' : 'note'} role="note">
        {open311.isPending ? t('common.loading') : available ? t('citizen.intro') : t('citizen.unavailable')}
      </p>
      {available ? (
        <>
          <label htmlFor={`${id}-service`}>{t('citizen.category')}</label>
          <select
            id={`${id}-service`}
            className="field-input"
            value={service}
            onChange={(e) => setService(e.target.value)}
          >
            {open311.data?.services.map((s) => (
              <option key={s.code} value={s.code}>
                {s.name}
              </option>
            ))}
          </select>
        </>
      ) : null}
      <label htmlFor={`${id}-text`}>{t('citizen.description')}</label>
      <textarea
        id={`${id}-text`}
        className="field-input"
        rows={4}
        required
        maxLength={2000}
        placeholder={t('citizen.descriptionHint')}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
      />
      <p id={`${id}-photos`} className="label">
        {t('citizen.photos')}
      </p>
      <div className="photo-pick">
        {/* The camera straight away on a phone; the gallery (several at once) beside it. */}
        <input
          id={`${id}-camera`}
          className="sr-only"
          type="file"
          accept="image/*"
          capture="environment"
          disabled={photos.length >= MAX_PHOTOS}
          onChange={(e) => addPhotos(e.currentTarget)}
        />
        <label htmlFor={`${id}-camera`} className="btn btn-secondary">
          {t('citizen.takePhoto')}
        </label>
        <input
          id={`${id}-photo`}
          className="sr-only"
          type="file"
          accept="image/*"
          multiple
          aria-labelledby={`${id}-photos ${id}-photo-label`}
          disabled={photos.length >= MAX_PHOTOS}
          onChange={(e) => addPhotos(e.currentTarget)}
        />
        <label id={`${id}-photo-label`} htmlFor={`${id}-photo`} className="btn btn-secondary">
          {t('citizen.choosePhotos')}
        </label>
      </div>
      {previews.length ? (
        <ul className="thumbs" aria-label={t('citizen.photosChosen', { count: previews.length })}>
          {previews.map((src, i) => (
            <li key={src}>
              <img src={src} alt={t('citizen.photoN', { n: i + 1 })} />
              <button
                type="button"
                className="thumb-remove"
                aria-label={t('citizen.removePhoto', { n: i + 1 })}
                onClick={() => setPhotos((list) => list.filter((_, j) => j !== i))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <fieldset>
        <legend>{t('citizen.place')}</legend>
        <button type="button" className="btn btn-secondary" onClick={locateMe}>
          {t('citizen.useMyLocation')}
        </button>
        <AddressSearch
          onPick={(p) => {
            setZoomIn(true);
            setPoint({ lon: p.lon, lat: p.lat });
          }}
        />
        <p className="muted small">{t('citizen.pinHint')}</p>
        <div className="pin-map">
          <Suspense fallback={<div className="loading">{t('map.loading')}</div>}>
            <PinMap
              point={point}
              zoomIn={zoomIn}
              onPick={(p) => {
                setZoomIn(false);
                setPoint(p);
              }}
            />
          </Suspense>
        </div>
        <p aria-live="polite" className="place">
          {geoError ||
            (point
              ? located.data
                ? located.data.chain.map((c) => placeName(c, i18n.language)).join(' / ')
                : located.isError
                  ? t('citizen.outsideCity')
                  : t('common.loading')
              : t('citizen.noPlace'))}
        </p>
      </fieldset>
      {file.error ? (
        <p className="error" role="alert">
          {t('citizen.failed', {
            message:
              file.error instanceof PhotoUploadError
                ? t(`citizen.photoErrors.${file.error.code}`, { defaultValue: file.error.message })
                : file.error.message,
          })}
        </p>
      ) : null}
      <button
        type="submit"
        className="btn btn-primary"
        disabled={!available || !description.trim() || !point || located.isError || file.isPending}
      >
        {t('citizen.submit')}
      </button>
      {uploaded && uploaded.total > 0 ? (
        <p className="muted small" role="status">
          {t('citizen.uploading', { done: uploaded.done, total: uploaded.total })}
        </p>
      ) : null}
    </form>
  );
}

function usePreviews(files: File[]): string[] {
  const [urls, setUrls] = useState<string[]>([]);
  useEffect(() => {
    const made = files.map((f) => URL.createObjectURL(f));
    setUrls(made);
    return () => {
      for (const u of made) URL.revokeObjectURL(u);
    };
  }, [files]);
  return urls;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
