import { createHash } from 'node:crypto';

/**
 * The worklist's cursor: where the last page ended in the worklist's order, which query it belongs to, and the due
 * bound `breachingWithin` stood for when the first page was read. Opaque to clients (base64url JSON), checked when it
 * comes back: a cursor that is not one of this API's, or of another query, is a 400.
 */

/** Position in the worklist's order: nearest due time (`infinity` without one), opening time, case id. */
export interface WorklistPosition {
  /** ISO 8601 instant, or `infinity` for a case without a running clock. */
  readonly dueOrder: string;
  readonly openedAt: string;
  readonly caseId: string;
}

/** What a cursor carries. */
export interface WorklistCursor {
  readonly after: WorklistPosition;
  /** The query's fingerprint ({@link worklistQueryFingerprint}). */
  readonly query: string;
  /** `breachingWithin` as an instant, fixed by the first page so later pages filter alike; `null` without it. */
  readonly dueBefore: string | null;
}

const VERSION = 1;
const INFINITY = 'infinity';

/** An instant as this API writes it (`Date#toISOString`): anything else (a 30 February…) is not one of its cursors. */
const isInstant = (value: unknown): value is string => {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value)) return false;
  const ms = Date.parse(value);
  return !Number.isNaN(ms) && new Date(ms).toISOString() === value;
};

/** A fingerprint of the filters of a worklist query (not its page size): a cursor is good for that query only. */
export function worklistQueryFingerprint(filters: Readonly<Record<string, unknown>>): string {
  const canonical = JSON.stringify(
    Object.keys(filters)
      .sort()
      .map((key) => [key, filters[key] ?? null]),
  );
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

/** The `cursor` query value of a position. */
export function encodeWorklistCursor(cursor: WorklistCursor): string {
  const { after, query, dueBefore } = cursor;
  return Buffer.from(
    JSON.stringify([VERSION, after.dueOrder, after.openedAt, after.caseId, query, dueBefore]),
  ).toString('base64url');
}

/** The cursor in a `cursor` query value, or `null` when it is not one this API issued. */
export function decodeWorklistCursor(value: string): WorklistCursor | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 6) return null;
  const [version, dueOrder, openedAt, caseId, query, dueBefore] = parsed as unknown[];
  if (version !== VERSION) return null;
  if (dueOrder !== INFINITY && !isInstant(dueOrder)) return null;
  if (!isInstant(openedAt) || typeof caseId !== 'string' || caseId.length === 0 || caseId.length > 200) return null;
  if (typeof query !== 'string' || !/^[A-Za-z0-9_-]{16}$/.test(query)) return null;
  if (dueBefore !== null && !isInstant(dueBefore)) return null;
  return { after: { dueOrder: dueOrder as string, openedAt, caseId }, query, dueBefore };
}

/** A worklist position's due part for a case's nearest due time (`null`: none, sorted last). */
export const dueOrderOf = (nextDueAt: Date | null): string => (nextDueAt ? nextDueAt.toISOString() : INFINITY);
