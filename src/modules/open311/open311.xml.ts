/** Escapes text for XML element content. */
function esc(s: string): string {
  return s.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string,
  );
}

/** Singular element names for arrays inside an item (GeoReport's XML layout). */
const SINGULAR: Record<string, string> = {
  attributes: 'attribute',
  values: 'value',
  endpoints: 'endpoint',
  formats: 'format',
  keywords: 'keyword',
};

function element(name: string, value: unknown): string {
  if (value === null || value === undefined) return `<${name}/>`;
  if (Array.isArray(value)) {
    // GeoReport lists keywords as one comma-separated element.
    if (name === 'keywords') return `<${name}>${esc(value.join(','))}</${name}>`;
    const child = SINGULAR[name] ?? 'item';
    return `<${name}>${value.map((v) => element(child, v)).join('')}</${name}>`;
  }
  if (typeof value === 'object') {
    return `<${name}>${Object.entries(value)
      .map(([k, v]) => element(k, v))
      .join('')}</${name}>`;
  }
  return `<${name}>${esc(String(value))}</${name}>`;
}

/** `<?xml …?><root><item>…</item>…</root>` for a list, or `<root>…</root>` for one object. */
export function toXml(root: string, item: string | null, value: unknown): string {
  const body =
    item && Array.isArray(value)
      ? value.map((v) => element(item, v)).join('')
      : Object.entries(value as object)
          .map(([k, v]) => element(k, v))
          .join('');
  return `<?xml version="1.0" encoding="utf-8"?><${root}>${body}</${root}>`;
}
