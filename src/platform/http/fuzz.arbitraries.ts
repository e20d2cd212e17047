// Test helper of fuzz.routes.test.ts: fast-check arbitraries built from the app's OpenAPI
// document (valid inputs per route) and the hostile values they are mutated with.
import fc from 'fast-check';

/** The subset of JSON Schema the OpenAPI document (zod → JSON Schema) uses. */
export interface JsonSchema {
  type?: string | string[];
  $ref?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
}

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const ANY: fc.Arbitrary<Json> = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean());

function stringArb(s: JsonSchema): fc.Arbitrary<string> {
  switch (s.format) {
    case 'uuid':
      return fc.uuid();
    case 'date-time':
      return fc
        .date({ min: new Date(2020, 0, 1), max: new Date(2030, 0, 1), noInvalidDate: true })
        .map((d) => d.toISOString());
    case 'date':
      return fc
        .date({ min: new Date(2020, 0, 1), max: new Date(2030, 0, 1), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10));
    case 'email':
      return fc.emailAddress();
    case 'uri':
      return fc.webUrl();
  }
  if (s.pattern) {
    try {
      return fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length <= (s.maxLength ?? 200));
    } catch {
      // an unsupported pattern: plain strings (the route answers 400, which is fine too)
    }
  }
  const minLength = s.minLength ?? 0;
  return fc.string({ minLength, maxLength: Math.min(s.maxLength ?? 24, minLength + 24) });
}

function numberArb(s: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min =
    s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + (integer ? 1 : 1e-9) : -1e6);
  const max =
    s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - (integer ? 1 : 1e-9) : 1e6);
  if (integer)
    return fc.integer({ min: Math.ceil(Math.max(min, -(2 ** 31))), max: Math.floor(Math.min(max, 2 ** 31)) });
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

/** Arbitrary of values valid against `schema` (close enough: patterns and formats are honoured where fast-check can). */
export function arbitraryOf(
  schema: JsonSchema | undefined,
  refs: Record<string, JsonSchema>,
  depth = 0,
): fc.Arbitrary<Json> {
  if (!schema || depth > 8) return ANY;
  if (schema.$ref) return arbitraryOf(refs[schema.$ref.split('/').at(-1) ?? ''], refs, depth + 1);
  if (schema.const !== undefined) return fc.constant(schema.const as Json);
  if (schema.enum) return fc.constantFrom(...(schema.enum as Json[]));
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((a) => arbitraryOf(a, refs, depth + 1)));
  if (schema.allOf?.length) return arbitraryOf(schema.allOf[0], refs, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringArb(schema);
    case 'integer':
      return numberArb(schema, true);
    case 'number':
      return numberArb(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      if (schema.prefixItems)
        return fc.tuple(...schema.prefixItems.map((p) => arbitraryOf(p, refs, depth + 1)));
      const minLength = schema.minItems ?? 0;
      return fc.array(arbitraryOf(schema.items, refs, depth + 1), {
        minLength,
        maxLength: Math.min(schema.maxItems ?? 3, minLength + 3),
      });
    }
    case 'object': {
      const properties = schema.properties ?? {};
      const model: Record<string, fc.Arbitrary<Json>> = {};
      for (const [k, p] of Object.entries(properties)) model[k] = arbitraryOf(p, refs, depth + 1);
      return fc.record(model, {
        requiredKeys: (schema.required ?? []).filter((k) => k in properties),
      }) as fc.Arbitrary<Json>;
    }
    default:
      return ANY;
  }
}

/**
 * Stands for a value nested 5,000 deep (the body that once blew a stack downstream) until the
 * request is written: fast-check itself would blow its stack printing such a value.
 */
export const DEEP = '\u0001deep\u0001';

/** JSON text of `value` with every DEEP marker written out as 5,000 nested arrays. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value).replaceAll(JSON.stringify(DEEP), `${'['.repeat(5000)}${']'.repeat(5000)}`);
}

const MEGA = 'x'.repeat(1024 * 1024);

/** Hostile JSON values a body field (or a whole body) is replaced with. */
export const hostileJson: fc.Arbitrary<Json> = fc.oneof(
  {
    arbitrary: fc.constantFrom<Json>('\u0000', 'a\u0000b', 'a\ud800b', '\udfff', '\ud83d', { 'k\u0000': 1 }),
    weight: 3,
  },
  fc.constantFrom<Json>(
    MEGA,
    'NaN',
    'Infinity',
    '-Infinity',
    '1e999',
    '9'.repeat(400),
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    -0,
    0.5,
    -1,
    "' OR '1'='1",
    "'; DROP TABLE users; --",
    '%00',
    '',
    ' ',
    '../../../etc/passwd',
    '\u202e\ufeff',
    '😀'.repeat(50),
    null,
    true,
    [],
    {},
    { $gt: '' },
    [[[[[]]]]],
  ),
  fc.constant(DEEP),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

/** Hostile text for a URL (a path parameter or a query value): raw, already percent-encoded where it says `%`. */
export const hostileUrlText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom('%00', 'a%00b', '%ED%A0%80', 'a%ED%B0%80b', '%C0%80'), weight: 3 },
  {
    arbitrary: fc.constantFrom(
      '%F0%9F',
      '%ZZ',
      '%',
      '..%2F..%2Fetc%2Fpasswd',
      '%27%20OR%201%3D1--',
      'NaN',
      'Infinity',
      '-1',
      '1e999',
      '99999999999999999999999999',
      'x'.repeat(8000),
      '%E2%80%AE',
      '',
    ),
    weight: 2,
  },
  {
    arbitrary: fc.string({ unit: 'binary', maxLength: 20 }).map((s) => encodeURIComponent(s.toWellFormed())),
    weight: 1,
  },
);

/** Raw JSON texts that JSON.stringify cannot produce: NaN, huge numbers, deep nesting, truncation. */
export const hostileJsonText: fc.Arbitrary<string> = fc.constantFrom(
  '{"a": NaN}',
  '{"lat": 1e999, "lon": -1e999}',
  '{"n": 123456789012345678901234567890123456789}',
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
  `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`,
  '{"__proto__": {"admin": true}}',
  '{"constructor": {"prototype": {"admin": true}}}',
  '{"a": "\\u0000"}',
  '{"a": "\\ud800"}',
  '{',
  '',
  'null',
  '"just a string"',
  '[]',
  '\ufeff{}',
);

/** Content types a body is (mis)declared as. */
export const hostileContentType: fc.Arbitrary<string> = fc.constantFrom(
  'application/xml',
  'text/xml',
  'multipart/form-data; boundary=x',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/json; charset=latin1',
  'application/octet-stream',
  'image/png',
);
