/**
 * How a decider's fold is persisted every so many events (ADR 37), for a {@link StreamSession} given it
 * (`snapshots`): a stream is then read from its newest snapshot on, and the session's flush writes a new snapshot of
 * each stream it appended to once `every` events have been folded since the last.
 *
 * The snapshot is exact because the state at version v plus the events after v is the stream's state, and a
 * snapshot is written in the transaction that appended its events. It stays exact only while `evolve` and the state's
 * shape are those it was written with: `name` carries a shape version (`shipment@2`), bumped whenever either changes,
 * so a new fold never reads an old shape (it reads the events again and writes snapshots of its own). A fold whose
 * state holds personal data in the clear is not snapshotted (a snapshot is not erased with the data's key).
 */
export interface FoldSnapshots<State = unknown> {
  /** The fold and its shape version, e.g. `shipment@1`; the snapshots' key with the stream. */
  readonly name: string;
  /** The decider (or its fold) the snapshots are of: the session matches it by its `evolve`. */
  readonly folding: { evolve(state: never, event: never): unknown };
  /** Events folded between two snapshots of a stream (a stream with fewer has none). */
  readonly every: number;
  /** The state as JSON (`JSON.stringify` must keep what `decode` needs). */
  encode(state: State): unknown;
  /** The state from its JSON, equal to the fold it was encoded from. */
  decode(encoded: unknown): State;
}
