import fc from 'fast-check';
import { validValue, type JsonSchema } from './schema-arbitrary';

/**
 * Hostile variations of valid requests: the body, query and path a fuzzer sends to a route, derived from the route's
 * schemas. Every variation is something a client can send over HTTP; the service must answer each with 2xx or a 4xx
 * problem, never 5xx.
 */

/** A request body as bytes on the wire, with the headers that describe it. */
export interface WireBody {
  /** What the variation is, for the failure report. */
  readonly kind: string;
  readonly bytes?: Buffer;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

type Path = ReadonlyArray<string | number>;

/** Every location in a JSON value (the root included). */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  const paths: Path[] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => paths.push(...pathsOf(v, [...prefix, i])));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) paths.push(...pathsOf(v, [...prefix, k]));
  }
  return paths;
}

function setAt(value: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? setAt(v, rest, replacement) : v));
  const record = (value ?? {}) as Record<string, unknown>;
  return { ...record, [head as string]: setAt(record[head as string], rest, replacement) };
}

function removeAt(value: unknown, path: Path): unknown {
  if (path.length === 0) return undefined;
  const [head, ...rest] = path;
  if (rest.length > 0) {
    if (Array.isArray(value)) return value.map((v, i) => (i === head ? removeAt(v, rest) : v));
    const record = value as Record<string, unknown>;
    return { ...record, [head as string]: removeAt(record[head as string], rest) };
  }
  if (Array.isArray(value)) return value.filter((_, i) => i !== head);
  const { [head as string]: _removed, ...kept } = value as Record<string, unknown>;
  return kept;
}

/** A value of another JSON type than `value`'s. */
function otherType(value: unknown): fc.Arbitrary<unknown> {
  const candidates: unknown[] = [null, true, 0, -1, 1e308, 'text', '', [], {}, [1, 'a'], { a: 1 }];
  const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  return fc.constantFrom(...candidates.filter((c) => typeOf(c) !== typeOf(value)));
}

/** `[[[[…]]]]` or `{"a":{"a":…}}` this deep. */
function deeplyNested(depth: number, arrays: boolean): string {
  return arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value) ?? 'null', 'utf8');
const JSON_TYPE = 'application/json';

/** Mutations of a valid value: wrong types, missing and unknown fields, huge and deeply nested values. */
function mutatedJson(valid: unknown, limit: number): fc.Arbitrary<WireBody> {
  const paths = pathsOf(valid);
  const at = fc.constantFrom(...paths);
  const objects = paths.filter((p) => {
    const v = p.reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k as string], valid);
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  });
  const body = (kind: string, value: unknown): WireBody => ({ kind, bytes: json(value), contentType: JSON_TYPE });
  const strings = paths.filter(
    (p) => typeof p.reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k as string], valid) === 'string',
  );
  const inner = paths.filter((p) => p.length > 0);
  const mutations: Array<fc.Arbitrary<WireBody>> = [
    at.chain((p) =>
      otherType(p.reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k as string], valid)).map((v) =>
        body(`wrong type at /${p.join('/')}`, setAt(valid, p, v)),
      ),
    ),
    ...(inner.length
      ? [fc.constantFrom(...inner).map((p) => body(`missing /${p.join('/')}`, removeAt(valid, p)))]
      : []),
    ...(strings.length
      ? [
          fc
            .tuple(fc.constantFrom(...strings), fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udfffy'))
            .map(([p, text]) =>
              body(`unstorable text ${JSON.stringify(text)} at /${p.join('/')}`, setAt(valid, p, text)),
            ),
        ]
      : []),
    fc
      .tuple(
        fc.constantFrom(...(objects.length ? objects : [[]])),
        fc.constantFrom('__proto__', 'constructor', 'extra', 'tenant', '', 'a'.repeat(300)),
      )
      .map(([p, key]) =>
        body(`unknown field ${JSON.stringify(key)} at /${p.join('/')}`, setAt(valid, [...p, key], { polluted: true })),
      ),
    fc
      .tuple(at, fc.integer({ min: 1_000, max: Math.floor(limit * 0.8) }))
      .map(([p, size]) => body(`huge string (${size}) at /${p.join('/')}`, setAt(valid, p, 'x'.repeat(size)))),
    fc.tuple(at, fc.integer({ min: 1_000, max: 20_000 })).map(([p, size]) =>
      body(
        `huge array (${size}) at /${p.join('/')}`,
        setAt(
          valid,
          p,
          Array.from({ length: size }, () => 'x'),
        ),
      ),
    ),
    fc.tuple(at, fc.integer({ min: 100, max: 20_000 }), fc.boolean()).map(([p, depth, arrays]) => {
      const marker = '"__DEEP__"';
      const text = JSON.stringify(setAt(valid, p, '__DEEP__')).replace(marker, deeplyNested(depth, arrays));
      return {
        kind: `nested ${depth} deep at /${p.join('/')}`,
        bytes: Buffer.from(text, 'utf8'),
        contentType: JSON_TYPE,
      };
    }),
    fc.jsonValue({ maxDepth: 3 }).map((v) => body('arbitrary JSON instead of the body', v)),
  ];
  return fc.oneof(...mutations);
}

/** Bodies that are not (valid) JSON, not JSON at all, or too large. */
function brokenBytes(valid: unknown, limit: number): fc.Arbitrary<WireBody> {
  const text = JSON.stringify(valid) ?? 'null';
  return fc.oneof(
    fc
      .constantFrom(
        Buffer.from([0xc3, 0x28]),
        Buffer.from([0xff, 0xfe, 0xfd]),
        Buffer.from([0xed, 0xa0, 0x80]),
        Buffer.from([0xf4, 0x90, 0x80, 0x80]),
        Buffer.from([0xc0, 0xaf]),
      )
      .map((bad) => {
        // Invalid UTF-8 inside the first string of the body (or alone when it has none).
        const at = text.indexOf('"') + 1;
        const bytes = at > 0 ? Buffer.concat([Buffer.from(text.slice(0, at)), bad, Buffer.from(text.slice(at))]) : bad;
        return { kind: `invalid UTF-8 ${bad.toString('hex')}`, bytes, contentType: JSON_TYPE };
      }),
    fc.integer({ min: 1, max: Math.max(1, text.length - 1) }).map((cut) => ({
      kind: `truncated JSON at ${cut}`,
      bytes: Buffer.from(text.slice(0, cut)),
      contentType: JSON_TYPE,
    })),
    fc
      .uint8Array({ minLength: 1, maxLength: 200 })
      .map((a) => ({ kind: 'random bytes', bytes: Buffer.from(a), contentType: JSON_TYPE })),
    fc.constant({ kind: 'empty JSON body', bytes: Buffer.alloc(0), contentType: JSON_TYPE }),
    fc.constant({ kind: 'no body', contentType: JSON_TYPE }),
    fc.integer({ min: limit + 1, max: limit + 64 * 1024 }).map((size) => ({
      kind: `body over the limit (${size} bytes)`,
      bytes: Buffer.from(`{"padding":"${'x'.repeat(size)}"}`),
      contentType: JSON_TYPE,
    })),
    fc
      .constantFrom(
        'text/plain',
        'application/xml',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/octet-stream',
        'application/json; charset=latin1',
        'application/json; charset=utf-16',
        'APPLICATION/JSON',
        'application/problem+json',
        'json',
        '',
      )
      .map((contentType) => ({
        kind: `Content-Type ${JSON.stringify(contentType)}`,
        bytes: Buffer.from(text),
        contentType,
      })),
    fc.constantFrom('gzip', 'deflate', 'br', 'identity, gzip', 'compress').map((encoding) => ({
      kind: `Content-Encoding ${encoding} (not compressed)`,
      bytes: Buffer.from(text),
      contentType: JSON_TYPE,
      headers: { 'content-encoding': encoding },
    })),
  );
}

/**
 * The body a fuzzer sends to a route with a body schema: valid (so deeper branches run), mutated JSON, or broken
 * bytes, about a third each.
 */
export function hostileBody(schema: JsonSchema, limit: number): fc.Arbitrary<WireBody> {
  return validValue(schema).chain((valid) =>
    fc.oneof(
      fc.constant<WireBody>({ kind: 'valid', bytes: json(valid), contentType: JSON_TYPE }),
      mutatedJson(valid, limit),
      brokenBytes(valid, limit),
    ),
  );
}

/** A body sent to a route that takes none. */
export function unexpectedBody(limit: number): fc.Arbitrary<WireBody> {
  return fc.oneof(
    fc.constant<WireBody>({ kind: 'no body' }),
    fc.constant<WireBody>({ kind: 'no body' }),
    brokenBytes({ unexpected: true }, limit),
  );
}

/** Path segments (already encoded for the URL) that are not what a route expects. */
export function hostileSegment(): fc.Arbitrary<{ readonly kind: string; readonly raw: string }> {
  const encoded = (kind: string, value: string) => ({ kind, raw: encodeURIComponent(value) });
  return fc.oneof(
    fc.constantFrom(
      { kind: 'lone percent', raw: '%' },
      { kind: 'bad escape', raw: '%zz' },
      { kind: 'truncated UTF-8 escape', raw: '%E0%A4%A' },
      { kind: 'overlong UTF-8', raw: '%C0%AF' },
      { kind: 'lone surrogate bytes', raw: '%ED%A0%80' },
      { kind: 'NUL', raw: '%00' },
      { kind: 'dot-dot', raw: '..' },
      { kind: 'encoded slash', raw: '..%2F..%2Fetc%2Fpasswd' },
      { kind: 'unicode', raw: encodeURIComponent('\u{1f600}\u202e') },
      { kind: 'SQL', raw: encodeURIComponent("' OR 1=1 --") },
      { kind: 'upper-case UUID', raw: 'A3BB189E-8BF9-3888-9912-ACE4E6543002' },
    ),
    fc.integer({ min: 65, max: 4000 }).map((n) => ({ kind: `long (${n})`, raw: 'a'.repeat(n) })),
    fc
      .string({ unit: 'binary', minLength: 1, maxLength: 30 })
      .map((s) => encoded('arbitrary text', s.replace(/[\ud800-\udfff]/g, 'x'))),
  );
}

/** Extra query string parts: unknown keys, repeated keys, nested keys, hostile values. */
export function hostileQuery(): fc.Arbitrary<{ readonly kind: string; readonly raw: string }> {
  return fc.oneof(
    fc.constantFrom(
      { kind: 'unknown key', raw: 'unknown=1' },
      { kind: '__proto__', raw: '__proto__=x&constructor[prototype][x]=1' },
      { kind: 'nested key', raw: 'a[b][c]=d' },
      { kind: 'NUL', raw: 'x=%00' },
      { kind: 'bad escape', raw: 'x=%zz%' },
      { kind: 'invalid UTF-8', raw: 'x=%C3%28' },
      { kind: 'empty key', raw: '=1&&' },
    ),
    fc.integer({ min: 1_000, max: 8_000 }).map((n) => ({ kind: `long value (${n})`, raw: `x=${'a'.repeat(n)}` })),
  );
}

/** A query parameter's value made hostile: repeated, emptied, NUL, too long, another type. */
export function hostileQueryValue(name: string): fc.Arbitrary<{ readonly kind: string; readonly raw: string }> {
  const key = encodeURIComponent(name);
  return fc.constantFrom(
    { kind: `${name} repeated`, raw: `${key}=a&${key}=b` },
    { kind: `${name} empty`, raw: `${key}=` },
    { kind: `${name} NUL`, raw: `${key}=%00` },
    { kind: `${name} as object`, raw: `${key}[a]=1` },
    { kind: `${name} long`, raw: `${key}=${'9'.repeat(5_000)}` },
    { kind: `${name} lone surrogate bytes`, raw: `${key}=%ED%A0%80` },
  );
}

/** Idempotency-Key and X-Correlation-Id values a client may send (valid, odd, or too long). */
export function originHeaders(): fc.Arbitrary<Readonly<Record<string, string>>> {
  const value = fc.oneof(
    fc.constant(undefined),
    fc.uuid(),
    fc.constantFrom('', ' ', 'with space', 'x'.repeat(201), '\u00e9t\u00e9', '"quoted"', 'a,b', 'k'.repeat(200)),
  );
  return fc.record({ idempotency: value, correlation: value }).map(({ idempotency, correlation }) => ({
    ...(idempotency !== undefined ? { 'idempotency-key': idempotency } : {}),
    ...(correlation !== undefined ? { 'x-correlation-id': correlation } : {}),
  }));
}
