import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { EventItem } from '../api/events.ts';

const LOUD: ReadonlySet<string> = new Set(['high', 'urgent']);

/**
 * New high-priority events in scope, seen since the cockpit opened: what was already there at
 * the first answer is not new. Each new one is announced once: a banner (role=alert, read out by
 * screen readers), a desktop notification when the operator has allowed them, and a short tone.
 */
export function useUrgentAlerts(events: readonly EventItem[] | undefined) {
  const seen = useRef<Set<string> | null>(null);
  const [fresh, setFresh] = useState<EventItem[]>([]);
  const { t } = useTranslation();
  useEffect(() => {
    if (!events) return;
    if (seen.current === null) {
      seen.current = new Set(events.map((e) => e.id));
      return;
    }
    const known = seen.current;
    const added = events.filter((e) => !known.has(e.id) && LOUD.has(e.priority) && e.status !== 'merged');
    for (const e of events) known.add(e.id);
    if (added.length === 0) return;
    setFresh((f) => [...added, ...f].slice(0, 5));
    for (const e of added) desktopNotice(t('urgent.title', { priority: t(`priorities.${e.priority}`) }), e);
    tone();
  }, [events, t]);
  return { fresh, dismiss: (id: string) => setFresh((f) => f.filter((e) => e.id !== id)) };
}

function desktopNotice(title: string, e: EventItem): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  try {
    new Notification(title, { body: e.description.slice(0, 120), tag: e.id });
  } catch {
    // Some browsers allow notifications only from a service worker: the banner is enough.
  }
}

function tone(): void {
  try {
    const audio = new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.value = 0.05;
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.15);
    osc.onended = () => void audio.close();
  } catch {
    // No audio (autoplay policy before any click, or no device): silent.
  }
}

/** The banners of new high-priority events, and the switch for desktop notifications. */
export function UrgentBanner({
  fresh,
  onOpen,
  onDismiss,
}: {
  fresh: readonly EventItem[];
  onOpen: (id: string) => void;
  onDismiss: (id: string) => void;
}) {
  const { t } = useTranslation();
  const [permission, setPermission] = useState(
    typeof Notification === 'undefined' ? 'denied' : Notification.permission,
  );
  return (
    <div className="urgent-alerts">
      {permission === 'default' ? (
        <button
          type="button"
          className="btn btn-ghost small"
          onClick={() => void Notification.requestPermission().then(setPermission)}
        >
          {t('urgent.enable')}
        </button>
      ) : null}
      <div role="alert">
        {fresh.map((e) => (
          <p className="urgent" key={e.id}>
            <strong>{t('urgent.title', { priority: t(`priorities.${e.priority}`) })}</strong>{' '}
            <button type="button" className="link" onClick={() => onOpen(e.id)}>
              {e.description.slice(0, 60)}
            </button>
            <button
              type="button"
              className="btn btn-ghost small"
              aria-label={t('urgent.dismiss')}
              onClick={() => onDismiss(e.id)}
            >
              ×
            </button>
          </p>
        ))}
      </div>
    </div>
  );
}
