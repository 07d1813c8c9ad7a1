import type { Pool } from 'pg';
import { openServicePool } from './service-pool';
import {
  rebuildProjection,
  type ProjectionDefinition,
  type RebuildOptions,
  type RebuildReport,
} from '@aftersales/eventstore';
import type { Service } from '@aftersales/contracts';

/**
 * The projections each service declares (`ServiceDefinition.projections`), by service: what `projection list` shows
 * and `projection rebuild` rebuilds. The command line's is read from the service definitions (scripts/ops.ts); a test
 * passes its own.
 */
export type ProjectionCatalogue = Readonly<Partial<Record<Service, readonly ProjectionDefinition[]>>>;

/**
 * Opens a service's database for a rebuild (the guard, the snapshot reader and the bulk writer at once, plus one
 * spare); `null` when the database does not exist.
 */
export function openRebuildPool(url: string, application: string): Promise<Pool | null> {
  return openServicePool(url, { application, max: 4 });
}

/** Rebuilds one projection of a service's database (see `rebuildProjection`), closing the pool afterwards. */
export async function rebuildServiceProjection(
  pool: Pool,
  projection: ProjectionDefinition,
  options: RebuildOptions,
): Promise<RebuildReport> {
  try {
    return await rebuildProjection(pool, projection, options);
  } finally {
    await pool.end();
  }
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');

/** The report of a rebuild, as lines for the operator. */
export function describeRebuild(service: string, report: RebuildReport): string[] {
  const { seconds } = report;
  const lines = [
    report.setBased
      ? `folded ${count(report.folded)} event(s) set-based in ${seconds.fold.toFixed(2)} s ` +
        `(${count(report.folded / Math.max(seconds.fold, 0.001))} events/s)`
      : 'no set-based fold declared: every event replayed through the live handler',
    `applied ${count(report.replayed)} event(s) one by one (${report.setBased ? 'written during the fold' : 'all of them'}) ` +
      `in ${(seconds.catchUp + seconds.swap).toFixed(2)} s`,
  ];
  for (const [table, rows] of Object.entries(report.rows)) lines.push(`${table}\t${count(rows)} row(s)`);
  lines.push(
    `rebuilt ${service}/${report.projection} in ${seconds.total.toFixed(2)} s and swapped in; its subscription goes on ` +
      `after transaction ${report.checkpoint.transactionId}, position ${report.checkpoint.position}`,
  );
  return lines;
}
