import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Filed } from './open311.ts';

/**
 * The reporter's token, shown once after filing: the only key to rate, reopen and see photos
 * from another device. Copy puts it on the clipboard (secure pages only; elsewhere the text is
 * selected for the user to copy); save downloads a small text file with the tracking number,
 * the token and the address to follow the request.
 */
export function TokenBox({ filed }: { filed: Filed }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(filed.token);
      setCopied(true);
    } catch {
      const code = document.querySelector<HTMLElement>('.token-box code');
      if (code) window.getSelection()?.selectAllChildren(code);
    }
  };
  const save = () => {
    const number = filed.trackingNo ?? filed.id;
    const follow = `${location.origin}/citizen/requests?id=${encodeURIComponent(filed.id)}`;
    const text = [
      t('citizen.savedFileTitle'),
      `${t('citizen.trackingNumber')}: ${number}`,
      `${t('citizen.tokenNote')} ${filed.token}`,
      `${t('citizen.followAt')} ${follow}`,
      '',
    ].join('\n');
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${number}.txt`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <div className="token-box">
      <span className="muted small">{t('citizen.tokenNote')}</span>
      <code className="token small">{filed.token}</code>
      <div className="row">
        <button type="button" className="btn btn-secondary" onClick={copy}>
          {copied ? t('citizen.copied') : t('citizen.copyToken')}
        </button>
        <button type="button" className="btn btn-secondary" onClick={save}>
          {t('citizen.saveToken')}
        </button>
      </div>
    </div>
  );
}
