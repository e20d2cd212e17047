import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Material } from '../../api/services.ts';
import { titleOf } from '../../shared/bundles.ts';
import { fileAsDataUrl } from './plan.ts';

/**
 * The applicant gives one material: a line of text, or a file (PNG, JPEG or PDF up to 2 MB, sent
 * as a data: URL, the API's form). `onChange` gets the value, or undefined when it is taken back.
 */
export function MaterialInput({
  id,
  material: m,
  label,
  error,
  onChange,
}: {
  id: string;
  material: Material;
  label?: string;
  error?: string;
  onChange: (value: string | undefined) => void;
}) {
  const { t, i18n } = useTranslation();
  const [chosen, setChosen] = useState<string>('');
  const [fileError, setFileError] = useState<string>('');
  const text = (m.format ?? 'file') === 'text';
  const problem = fileError || error;
  const describedBy = problem ? `${id}-error` : `${id}-hint`;
  const title = label ?? titleOf(m, i18n.language);
  return (
    <div className="svc-input">
      {text ? (
        <>
          <label htmlFor={id}>{title}</label>
          <input
            id={id}
            className="field-input"
            maxLength={500}
            autoComplete="off"
            aria-invalid={Boolean(problem) || undefined}
            aria-describedby={describedBy}
            onChange={(e) => onChange(e.target.value.trim() || undefined)}
          />
        </>
      ) : (
        <>
          {/* The browser's own file button speaks the browser's language; this one speaks the page's. */}
          <p id={`${id}-title`} className="svc-input-title">
            {title}
          </p>
          <input
            id={id}
            className="sr-only svc-file"
            type="file"
            accept="image/png,image/jpeg,application/pdf"
            aria-labelledby={`${id}-title ${id}-button`}
            aria-invalid={Boolean(problem) || undefined}
            aria-describedby={describedBy}
            onChange={async (e) => {
              const file = e.target.files?.[0];
              setFileError('');
              setChosen('');
              if (!file) return onChange(undefined);
              const read = await fileAsDataUrl(file);
              if ('error' in read) {
                setFileError(t(`services.rules.${read.error}`));
                return onChange(undefined);
              }
              setChosen(t('services.chosenFile', { name: file.name, kb: Math.ceil(file.size / 1024) }));
              onChange(read.url);
            }}
          />
          <label id={`${id}-button`} htmlFor={id} className="btn btn-secondary svc-file-button">
            {chosen ? t('services.chooseAnother') : t('services.chooseFile')}
          </label>
        </>
      )}
      <p id={`${id}-hint`} className="small muted">
        {chosen || (text ? t('services.textHint') : t('services.fileHint'))}
      </p>
      {problem ? (
        <p id={`${id}-error`} className="small error">
          {problem}
        </p>
      ) : null}
    </div>
  );
}
