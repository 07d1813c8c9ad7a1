import type { Pool } from 'pg';
import { openServicePool } from './service-pool';
import { streamIds, verifyStreamAudit, type Queryable } from '@aftersales/eventstore';

/** What `audit verify` checks in one service's event store. */
export interface AuditScope {
  /** Named streams (a case, an incident, a return…). */
  readonly streams: readonly string[];
  /** Every stream of the store (or every one starting with `prefix`). */
  readonly all: boolean;
  readonly prefix?: string;
}

export interface AuditSummary {
  readonly streams: number;
  readonly ok: number;
  readonly tampered: number;
  readonly missing: number;
  readonly events: number;
}

/**
 * Verifies the tamper evidence of streams in one event store (`es_events`'s hash chain and the `es_streams` head of
 * each, `verifyStreamAudit`): writes one line per stream (`OK`, `TAMPERED` with the first bad event and why, `MISSING`
 * for a named stream without events) and answers the counts. Reads only.
 */
export async function verifyStoreAudit(
  db: Queryable,
  label: string,
  scope: AuditScope,
  io: { readonly out: (line: string) => void; readonly onProgress?: (done: number, total: number) => void },
): Promise<AuditSummary> {
  const streams = [...new Set([...scope.streams, ...(scope.all ? await streamIds(db, scope.prefix ?? '') : [])])];
  const counts = { ok: 0, tampered: 0, missing: 0, events: 0 };
  io.onProgress?.(0, streams.length);
  for (const [index, streamId] of streams.entries()) {
    const result = await verifyStreamAudit(db, streamId);
    counts.events += result.events;
    if (result.ok && result.events === 0) {
      counts.missing += 1;
      io.out(`MISSING\t${label}\t${streamId}\tno events stored`);
    } else if (result.ok) {
      counts.ok += 1;
      io.out(`OK\t${label}\t${streamId}\t${result.events} events, hash chain intact`);
    } else {
      counts.tampered += 1;
      const { eventId, streamVersion, position } = result.firstInvalid;
      const where =
        eventId === null
          ? `version ${streamVersion} (deleted)`
          : `${eventId} (version ${streamVersion}, position ${position})`;
      io.out(`TAMPERED\t${label}\t${streamId}\tfirst bad event ${where}: ${result.reason}`);
    }
    io.onProgress?.(index + 1, streams.length);
  }
  return { streams: streams.length, ...counts };
}

/** The database of a service on the server of `DATABASE_URL`: `aftersales_<service>` unless named. */
export function serviceDatabaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A read-only pool (verifying must never be able to change what it verifies); `null` when the database is absent. */
export function openReadOnly(url: string, application: string): Promise<Pool | null> {
  return openServicePool(url, { application, max: 2, readOnly: true });
}
