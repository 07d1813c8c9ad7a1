import { createHash } from 'node:crypto';

/** A value that {@link canonicalJson} accepts: JSON without `undefined`, functions or non-finite numbers. */
export type CanonicalValue =
  null | boolean | number | string | readonly CanonicalValue[] | { readonly [key: string]: CanonicalValue | undefined };

/** A value canonical JSON cannot represent faithfully (it would change meaning or be dropped silently). */
export class NotCanonicalJson extends Error {
  constructor(path: string, why: string) {
    super(`not canonical JSON at ${path || '(root)'}: ${why}`);
  }
}

/**
 * The canonical JSON text of a value: object keys sorted by code unit, no insignificant whitespace, numbers and
 * strings as `JSON.stringify` writes them (RFC 8785's ordering; the values this platform archives are strings,
 * integers, booleans and nulls). An object property whose value is `undefined` is left out, as `JSON.stringify` does;
 * a non-finite number, a function or an `undefined` array element is refused, since JSON cannot carry it unchanged.
 * The same value always gives the same text, so its hash ({@link contentHash}) identifies the content.
 *
 * @example
 * ```ts
 * canonicalJson({ b: [1, 'x'], a: { d: null, c: true } }); // '{"a":{"c":true,"d":null},"b":[1,"x"]}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  return write(value, '');
}

function write(value: unknown, path: string): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new NotCanonicalJson(path, `${value} is not a JSON number`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value
      .map((item, index) => {
        if (item === undefined) throw new NotCanonicalJson(`${path}/${index}`, 'undefined in an array');
        return write(item, `${path}/${index}`);
      })
      .join(',')}]`;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${write(record[key], `${path}/${key}`)}`).join(',')}}`;
  }
  throw new NotCanonicalJson(
    path,
    `a ${typeof value === 'object' ? (value?.constructor?.name ?? 'object') : typeof value} is not plain JSON`,
  );
}

/**
 * SHA-256 (lowercase hex) of a text's UTF-8 bytes: the hash an archive's canonical JSON is recorded under in an audit
 * trail, so that anyone holding the text can check it against the recorded hash.
 *
 * @example
 * ```ts
 * contentHash(canonicalJson({ a: 1 })); // '015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862'
 * ```
 */
export function contentHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
