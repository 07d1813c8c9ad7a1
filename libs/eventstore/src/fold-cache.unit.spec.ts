import { FoldCache, type CachedFold } from './fold-cache';
import type { Folding } from './stream-session';

const total: Folding<number, { readonly n: number }> = {
  initialState: () => 0,
  evolve: (state, event) => state + event.n,
};
const fold = (state: number, version: number): CachedFold<number> => ({
  state,
  version,
  ids: new Set(Array.from({ length: version }, (_, i) => `e${i + 1}`)),
});

describe('FoldCache', () => {
  it('keeps a fold per stream and counts hits and misses', () => {
    const cache = new FoldCache(total);
    expect(cache.get('a')).toBeUndefined();
    cache.put('a', fold(5, 2));
    expect(cache.get('a')).toEqual(fold(5, 2));
    expect(cache.size).toBe(1);
    expect([cache.hits, cache.misses]).toEqual([1, 1]);
  });

  it('ignores an older version than the one cached (transactions that finished out of order) and takes a newer one', () => {
    const cache = new FoldCache(total);
    cache.put('a', fold(9, 3));
    cache.put('a', fold(5, 2));
    expect(cache.get('a')?.version).toBe(3);
    cache.put('a', fold(12, 4));
    expect(cache.get('a')).toMatchObject({ state: 12, version: 4 });
    // The same version again (a transaction that only read) replaces it: the fold of one version is one state.
    cache.put('a', fold(12, 4));
    expect(cache.get('a')?.version).toBe(4);
  });

  it('holds at most its capacity of streams, evicting the least recently used', () => {
    const cache = new FoldCache(total, { streams: 2 });
    cache.put('a', fold(1, 1));
    cache.put('b', fold(2, 1));
    // Reading a makes b the least recently used.
    expect(cache.get('a')).toBeDefined();
    cache.put('c', fold(3, 1));
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.state).toBe(1);
    expect(cache.get('c')?.state).toBe(3);
    // Writing a cached stream again also makes it the most recent.
    cache.put('a', fold(4, 2));
    cache.put('d', fold(5, 1));
    expect(cache.get('c')).toBeUndefined();
    expect(cache.get('a')?.state).toBe(4);
  });

  it('with a capacity of 0 keeps nothing (the cache turned off)', () => {
    const cache = new FoldCache(total, { streams: 0 });
    cache.put('a', fold(1, 1));
    expect(cache.size).toBe(0);
    expect(cache.get('a')).toBeUndefined();
  });
});
