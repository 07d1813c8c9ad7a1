/** The items of every {@link GrowingSet} grown from one another, in insertion order, each once. */
interface Backing<T> {
  readonly items: T[];
  /** Where each item sits in `items`. */
  readonly index: Map<T, number>;
}

/**
 * An immutable set, in insertion order, that a fold can grow by one item in amortised O(1) — where
 * `new Set([...set, item])` copies the whole set each time and makes folding a stream of n such events O(n²)
 * (a complaint cluster of 20,000 complaints took 36 s to fold; ADR 31).
 *
 * Every value is a view of the first `size` items of a backing list that the sets grown from one another share:
 * {@link GrowingSet.with} appends to that list when this set is its longest view (the usual case: a fold only ever
 * grows its newest state) and copies it otherwise (someone grows an older state: a branch), so no set ever changes
 * once made — a decider may keep, compare and grow any state it was given. Implements `ReadonlySet`, so a state's
 * field typed `ReadonlySet<T>` takes it as it is.
 *
 * @example
 * ```ts
 * const seen = GrowingSet.empty<string>().with('c-1').with('c-2');
 * seen.has('c-2'); // true
 * const branch = seen.with('c-3'); // appended: `seen` still has 2 items
 * ```
 */
export class GrowingSet<T> implements ReadonlySet<T> {
  private constructor(
    private readonly backing: Backing<T>,
    readonly size: number,
  ) {}

  static empty<T>(): GrowingSet<T> {
    return new GrowingSet<T>({ items: [], index: new Map() }, 0);
  }

  /** The distinct items of `items`, in their first order (a `GrowingSet` is returned as it is). */
  static of<T>(items: Iterable<T>): GrowingSet<T> {
    if (items instanceof GrowingSet) return items as GrowingSet<T>;
    let set = GrowingSet.empty<T>();
    for (const item of items) set = set.with(item);
    return set;
  }

  has(item: T): boolean {
    const at = this.backing.index.get(item);
    return at !== undefined && at < this.size;
  }

  /** This set with `item` last (this very set when it has it already). */
  with(item: T): GrowingSet<T> {
    if (this.has(item)) return this;
    const { items, index } = this.backing;
    if (items.length === this.size) {
      // The newest view of the backing list: append (no other view sees past its own size).
      items.push(item);
      index.set(item, this.size);
      return new GrowingSet(this.backing, this.size + 1);
    }
    // An older view grows differently from a newer one: it gets a backing list of its own.
    const own = items.slice(0, this.size);
    own.push(item);
    return new GrowingSet({ items: own, index: new Map(own.map((x, i) => [x, i])) }, own.length);
  }

  /** This set with every item of `more` not in it yet appended, in their order. */
  withAll(more: Iterable<T>): GrowingSet<T> {
    return [...more].reduce<GrowingSet<T>>((set, item) => set.with(item), this);
  }

  /** The items in insertion order (a copy). */
  toArray(): T[] {
    return this.backing.items.slice(0, this.size);
  }

  /** The `i`-th item in insertion order (negative: from the end), like `Array.prototype.at`. */
  at(i: number): T | undefined {
    const at = i < 0 ? this.size + i : i;
    return at >= 0 && at < this.size ? this.backing.items[at] : undefined;
  }

  *values(): SetIterator<T> {
    const { items } = this.backing;
    for (let i = 0; i < this.size; i++) yield items[i] as T;
  }

  keys(): SetIterator<T> {
    return this.values();
  }

  *entries(): SetIterator<[T, T]> {
    for (const item of this.values()) yield [item, item];
  }

  [Symbol.iterator](): SetIterator<T> {
    return this.values();
  }

  forEach(callback: (value: T, value2: T, set: ReadonlySet<T>) => void, thisArg?: unknown): void {
    for (const item of this.values()) callback.call(thisArg, item, item, this);
  }

  /** JSON as an array (a state logged or compared as JSON shows its items). */
  toJSON(): T[] {
    return this.toArray();
  }
}
