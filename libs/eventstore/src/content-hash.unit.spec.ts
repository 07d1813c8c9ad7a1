import { createHash } from 'node:crypto';
import { canonicalJson, contentHash, NotCanonicalJson } from './index';

describe('canonicalJson and contentHash (the hash of an archive recorded in an audit trail)', () => {
  it('sorts keys at every depth and writes no whitespace, whatever order the value was built in', () => {
    const a = { b: [1, 'x', { z: 1, y: [true, null] }], a: { d: null, c: true } };
    const b = { a: { c: true, d: null }, b: [1, 'x', { y: [true, null], z: 1 }] };
    expect(canonicalJson(a)).toBe('{"a":{"c":true,"d":null},"b":[1,"x",{"y":[true,null],"z":1}]}');
    expect(canonicalJson(b)).toBe(canonicalJson(a));
  });

  it('is a fixed point: parsing canonical JSON and writing it again gives the same text', () => {
    const text = canonicalJson({ é: '<b>"quoted"</b>\n', n: -12, list: [], nested: {} });
    expect(canonicalJson(JSON.parse(text))).toBe(text);
  });

  it('leaves out undefined properties, as JSON does, and refuses what JSON cannot carry unchanged', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(NotCanonicalJson);
    expect(() => canonicalJson([1, undefined])).toThrow(NotCanonicalJson);
    expect(() => canonicalJson({ at: new Date(0) })).toThrow(NotCanonicalJson);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(NotCanonicalJson);
  });

  it('hashes the UTF-8 bytes with SHA-256, in lowercase hex; one changed character changes the hash', () => {
    const text = canonicalJson({ a: 1 });
    expect(contentHash(text)).toBe(createHash('sha256').update(Buffer.from('{"a":1}', 'utf8')).digest('hex'));
    expect(contentHash(text)).toMatch(/^[0-9a-f]{64}$/);
    expect(contentHash(canonicalJson({ a: 2 }))).not.toBe(contentHash(text));
  });
});
