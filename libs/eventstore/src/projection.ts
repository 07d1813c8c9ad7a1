import type { Pool, PoolClient } from 'pg';
import { DurableSubscription, type SubscriptionOptions } from './subscription';
import type { StoredEvent } from './types';

/**
 * Rows of a projection's tables, by table name: each row maps column names to values as JSON gives them (strings for
 * text and ISO times, numbers, booleans, `null`, objects and arrays for `jsonb`). A row names every column it sets;
 * a column it leaves out is `NULL` (not the column's default), and generated columns are never given.
 */
export type ProjectionRows = Readonly<Record<string, ReadonlyArray<Readonly<Record<string, unknown>>>>>;

/**
 * How a projection is rebuilt set-based: the events of one stream at a time, folded in memory into the rows they make,
 * written in bulk (ADR 20). Possible when every row of the projection is made by the events of one stream alone
 * (an aggregate's row, its children, rows keyed by one of its events): then the fold of each stream is independent of
 * every other, and streams can be read one after the other instead of in global order.
 */
export interface StreamFold {
  /** The event types the projection takes; the rebuild reads only these (in SQL, before decoding). */
  readonly eventTypes: readonly string[];
  /**
   * The rows one stream's events make, given in stream order (only the events of `eventTypes`). The same rows the
   * projection's {@link ProjectionDefinition.handle} leaves after applying these events in order to empty tables;
   * a row may belong to this stream only (the bulk insert refuses a key two streams make).
   */
  readonly foldStream: (events: readonly StoredEvent[]) => ProjectionRows;
  /**
   * The metadata keys the fold reads (`['tenant']`, or `[]` for none); the rebuild reads only these from the store,
   * and the events given to `foldStream` carry no other metadata. Default: all of it. Decoding the metadata costs
   * about as much as decoding the data, so a fold that needs none of it says so.
   */
  readonly metadataKeys?: readonly string[];
}

/**
 * A projection: tables that only it writes, fed by a checkpointed subscription to the service's event store, and
 * rebuildable beside the live tables without downtime (`npm run ops -- projection rebuild <service> <name>`).
 *
 * @example
 * ```ts
 * export const caseWorklist: ProjectionDefinition = {
 *   name: 'case-worklist',
 *   description: 'one row per case for worklists and KPIs',
 *   tables: ['case_worklist', 'case_sla_clocks', 'case_complaint_links'],
 *   handle: projectCaseEvent,
 *   rebuild: { eventTypes: [...], foldStream: foldCaseStream },
 * };
 * const live = projectionSubscription(pool, caseWorklist, { minPollIntervalMs: 25 });
 * ```
 */
export interface ProjectionDefinition {
  /** Unique in the service; also its checkpoint's key in `es_checkpoints` and its subscription's lock. */
  readonly name: string;
  /** What the tables answer, for `projection list`. */
  readonly description: string;
  /** The tables only this projection writes (unqualified names, as `handle` writes them): rebuilt and swapped together. */
  readonly tables: readonly string[];
  /**
   * Applies one event inside the subscription's transaction. It names its tables unqualified (the rebuild points the
   * `search_path` at the new tables while it catches up) and must be idempotent per event.
   */
  readonly handle: (event: StoredEvent, tx: PoolClient) => Promise<void>;
  /**
   * The set-based rebuild. Without it, a rebuild replays every event through `handle` into the new tables (correct,
   * at the speed of the live projection).
   */
  readonly rebuild?: StreamFold;
}

/** The live subscription that keeps a projection's tables up to date (its name is the projection's). */
export function projectionSubscription(
  pool: Pool,
  projection: ProjectionDefinition,
  options: Omit<SubscriptionOptions, 'name' | 'handle'> = {},
): DurableSubscription {
  return new DurableSubscription(pool, { ...options, name: projection.name, handle: projection.handle });
}
