/** Limits on one message's payload, checked before anything recursive (JSON.stringify, zod) touches it. */
export interface PayloadLimits {
  /** Bytes of one message (MQTT payload) at most; larger ones are dead-lettered `too_large`. */
  maxBytes: number;
  /** JSON nesting at most (a top-level object is 1, an array of objects 2); deeper is `too_deep`. */
  maxDepth: number;
}

/** 64 KiB per message and 16 levels of nesting. */
export const DEFAULT_PAYLOAD_LIMITS: PayloadLimits = { maxBytes: 65_536, maxDepth: 16 };

/** A dead letter keeps at most this many characters of its payload (and of its detail). */
export const EXCERPT_CHARS = 4096;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * True when the JSON text in `bytes` nests deeper than `limit`, found by one scan of the bytes
 * (no parse, no recursion). Brackets inside strings do not count; in UTF-8 no byte of a
 * multi-byte character is ASCII, so scanning bytes is exact. Invalid JSON is for JSON.parse to refuse.
 */
export function rawDepthExceeds(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) depth--;
  }
  return false;
}

/** True when a decoded value nests deeper than `limit` (an explicit stack, never descending past the limit). */
export function valueDepthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * A bounded JSON excerpt of a decoded payload for a dead letter: at most `max` characters, with
 * nesting past `maxDepth` written as `"…"` — the serialiser stops before it recurses further or
 * writes more, whatever the payload (JSON.stringify of a 5,000-deep object overflows the stack).
 */
export function excerptOf(value: unknown, maxDepth: number, max = EXCERPT_CHARS): string {
  const out: string[] = [];
  let length = 0;
  const put = (s: string): boolean => {
    out.push(s);
    length += s.length;
    return length < max;
  };
  const write = (v: unknown, depth: number): boolean => {
    if (v === null || typeof v !== 'object') {
      const s = typeof v === 'string' && v.length > max ? `${v.slice(0, max)}…` : v;
      return put(JSON.stringify(s) ?? 'null');
    }
    if (depth > maxDepth) return put('"…"');
    const array = Array.isArray(v);
    if (!put(array ? '[' : '{')) return false;
    let first = true;
    for (const [k, child] of array ? v.entries() : Object.entries(v)) {
      if (!first && !put(',')) return false;
      first = false;
      if (!array && !put(`${JSON.stringify(k)}:`)) return false;
      if (!write(child, depth + 1)) return false;
    }
    return put(array ? ']' : '}');
  };
  write(value, 1);
  return storable(out.join(''), max);
}

/**
 * Text safe for a PostgreSQL `text` column and bounded: at most `max` characters, NUL (which
 * PostgreSQL refuses in text) and lone surrogates replaced by U+FFFD. A dead letter that cannot
 * be stored would fail its whole batch, and with it every device's readings in that batch.
 */
export function storable(text: string, max = EXCERPT_CHARS): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  return cut.toWellFormed().replaceAll('\0', '\uFFFD');
}

/** The payload limits of the sensing options. */
export function limitsOf(options: { maxPayloadBytes: number; maxPayloadDepth: number }): PayloadLimits {
  return { maxBytes: options.maxPayloadBytes, maxDepth: options.maxPayloadDepth };
}
