import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fetchMaterialFile } from '../api/services.ts';
import { download } from '../shared/csv.ts';

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'application/pdf': 'pdf',
};

/** Whether the applicant uploaded a file for this material (the server keeps the file). */
export function hasUploadedFile(m: { origin: string; status: string; format?: string }): boolean {
  return m.origin === 'applicant' && m.status === 'provided' && (m.format ?? 'file') === 'file';
}

/**
 * Opens the file an applicant uploaded for a material at the desk: fetched with the desk's token
 * and saved (a plain link would go without the token), named after the material.
 */
export function MaterialFileLink({
  applicationId,
  code,
  title,
}: {
  applicationId: string;
  code: string;
  title: string;
}) {
  const { t } = useTranslation();
  const [state, setState] = useState<'idle' | 'busy' | 'done' | 'failed'>('idle');
  const [failure, setFailure] = useState('');
  const open = async () => {
    setState('busy');
    try {
      const blob = await fetchMaterialFile(applicationId, code);
      download(`${code}.${EXTENSIONS[blob.type] ?? 'bin'}`, blob, blob.type || 'application/octet-stream');
      setState('done');
    } catch (err) {
      setFailure((err as Error).message);
      setState('failed');
    }
  };
  return (
    <p className="desk-file small">
      <button
        type="button"
        className="link"
        onClick={open}
        disabled={state === 'busy'}
        aria-label={t('desk.file.open', { title })}
      >
        {t('desk.file.openShort')}
      </button>{' '}
      <span role="status">
        {state === 'busy'
          ? t('desk.file.opening')
          : state === 'done'
            ? t('desk.file.opened')
            : state === 'failed'
              ? t('desk.file.failed', { message: failure })
              : ''}
      </span>
    </p>
  );
}
