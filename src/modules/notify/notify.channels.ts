import type { Message, Recipient } from './notify.schema.ts';

/**
 * A delivery channel. `target` picks the address from the recipient (null: the channel does not
 * apply); `deliver` sends one message there after the transaction committed. The in-app channel
 * has no `deliver`: its row in the inbox is the delivery.
 */
export interface Channel {
  readonly name: string;
  target(recipient: Recipient): string | null;
  deliver?(target: string, message: Message & { recipient: string }): Promise<void>;
}

/** In-app: the notification is readable in the recipient's inbox at once. */
export const inAppChannel: Channel = { name: 'in_app', target: (r) => r.id };

/** Webhook: POSTs the message as JSON to the recipient's URL; a non-2xx answer is a failed attempt. */
export function webhookChannel(fetchImpl: typeof fetch = fetch, timeoutMs = 5000): Channel {
  return {
    name: 'webhook',
    target: (r) => r.webhookUrl ?? null,
    async deliver(target, message) {
      const res = await fetchImpl(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!res.ok) throw new Error(`webhook answered ${res.status}`);
    },
  };
}

/** SMS adapter: plug in a gateway's send function (none ships with citybrain). */
export function smsChannel(send: (phone: string, text: string) => Promise<void>): Channel {
  return {
    name: 'sms',
    target: (r) => r.phone ?? null,
    deliver: (phone, m) => send(phone, `${m.title}：${m.body}`),
  };
}

/** E-mail adapter: plug in a mailer's send function. */
export function emailChannel(send: (to: string, subject: string, text: string) => Promise<void>): Channel {
  return {
    name: 'email',
    target: (r) => r.email ?? null,
    deliver: (to, m) => send(to, m.title, m.body),
  };
}
