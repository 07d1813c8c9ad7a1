import fc from 'fast-check';
import { GrowingSet } from './growing-set';

describe('GrowingSet', () => {
  it('is an ordered set: distinct items in the order they first came', () => {
    const set = GrowingSet.empty<string>().with('b').with('a').with('b').with('c');
    expect(set.size).toBe(3);
    expect([...set]).toEqual(['b', 'a', 'c']);
    expect(set.has('a')).toBe(true);
    expect(set.has('z')).toBe(false);
    expect(set.at(0)).toBe('b');
    expect(set.at(-1)).toBe('c');
    expect(set.at(3)).toBeUndefined();
    expect(JSON.stringify({ set })).toBe('{"set":["b","a","c"]}');
    expect([...set.entries()]).toEqual([
      ['b', 'b'],
      ['a', 'a'],
      ['c', 'c'],
    ]);
    const seen: string[] = [];
    set.forEach((v) => seen.push(v));
    expect(seen).toEqual(['b', 'a', 'c']);
  });

  it('adding an item it has returns the very same set', () => {
    const set = GrowingSet.of(['x', 'y']);
    expect(set.with('x')).toBe(set);
    expect(GrowingSet.of(set)).toBe(set);
  });

  it('never changes a set once made: an older set grown differently is a branch of its own', () => {
    const base = GrowingSet.of(['a', 'b']);
    const left = base.with('c');
    // `base` is no longer the newest view of its list: growing it again must not show in `left`, nor `left` in it.
    const right = base.with('d');
    const leftAgain = left.with('e');
    expect([...base]).toEqual(['a', 'b']);
    expect([...left]).toEqual(['a', 'b', 'c']);
    expect([...right]).toEqual(['a', 'b', 'd']);
    expect([...leftAgain]).toEqual(['a', 'b', 'c', 'e']);
    expect(base.has('c')).toBe(false);
    expect(base.has('d')).toBe(false);
    expect(left.has('d')).toBe(false);
    expect(right.has('c')).toBe(false);
    expect(right.with('c').toArray()).toEqual(['a', 'b', 'd', 'c']);
    // An item another branch added is new to this one.
    expect(base.with('c')).not.toBe(base);
    expect([...base.with('c')]).toEqual(['a', 'b', 'c']);
  });

  it('behaves like a fresh copied Set under any sequence of adds to any earlier version', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 20 })), { maxLength: 200 }), (steps) => {
        const versions: Array<{ grown: GrowingSet<number>; copied: ReadonlySet<number> }> = [
          { grown: GrowingSet.empty(), copied: new Set() },
        ];
        for (const [pick, item] of steps) {
          const from = versions[pick % versions.length]!;
          versions.push({ grown: from.grown.with(item), copied: new Set([...from.copied, item]) });
        }
        for (const { grown, copied } of versions) {
          expect([...grown]).toEqual([...copied]);
          expect(grown.size).toBe(copied.size);
          for (let i = 0; i <= 20; i++) expect(grown.has(i)).toBe(copied.has(i));
        }
      }),
    );
  });

  it('withAll appends what is new, in order', () => {
    expect(GrowingSet.of([1, 2]).withAll([2, 3, 1, 4]).toArray()).toEqual([1, 2, 3, 4]);
  });
});
