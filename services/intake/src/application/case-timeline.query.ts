import { Inject, Injectable } from '@nestjs/common';
import { CaseNotFound } from './cases.service';
import { intakeEntry, publishedEntry, type CaseTimelineEntry } from './case-timeline.entries';
import { CASE_TIMELINE_SOURCES, type CaseTimelineSources, type TimelinePosition } from './case-timeline.port';

/** One page of a case's timeline; `nextCursor` continues it (null on the last page). */
export interface CaseTimelinePage {
  readonly caseId: string;
  readonly entries: readonly CaseTimelineEntry[];
  readonly nextCursor: string | null;
}

/** Orders two positions: by time, then origin (intake's store first), then sequence. */
export function comparePositions(a: TimelinePosition, b: TimelinePosition): number {
  if (a.atMs !== b.atMs) return a.atMs - b.atMs;
  if (a.origin !== b.origin) return a.origin - b.origin;
  const [x, y] = [BigInt(a.sequence), BigInt(b.sequence)];
  return x === y ? 0 : x < y ? -1 : 1;
}

/** The `cursor` of a position: opaque to callers. */
export function encodeTimelineCursor(position: TimelinePosition): string {
  return Buffer.from(`${position.atMs}.${position.origin}.${position.sequence}`).toString('base64url');
}

/** The position in a `cursor` this API issued, or `null` for anything else. */
export function decodeTimelineCursor(cursor: string): TimelinePosition | null {
  const match = /^(\d{1,15})\.([01])\.(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) return null;
  const [, atMs = '', origin = '', sequence = ''] = match;
  return { atMs: Number(atMs), origin: origin === '0' ? 0 : 1, sequence };
}

/**
 * One timeline per case (`GET /cases/:caseId/timeline`): everything that happened to the case in every service, in the
 * order it happened. Intake's own events come straight from its event store; other services' events from what the
 * `case-timeline` consumer stored of every published event naming the case. Both are read from the cursor on, merged,
 * and cut to the page.
 */
@Injectable()
export class CaseTimeline {
  // Explicit token: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
  constructor(@Inject(CASE_TIMELINE_SOURCES) private readonly sources: CaseTimelineSources) {}

  async read(
    tenant: string,
    caseId: string,
    page: { readonly limit: number; readonly after: TimelinePosition | null },
  ): Promise<CaseTimelinePage> {
    if (!(await this.sources.caseExists(tenant, caseId))) throw new CaseNotFound(caseId);
    // One more than the page from each source: enough to know whether anything follows the page.
    const [own, published] = await Promise.all([
      this.sources.intakeEvents(tenant, caseId, page.after, page.limit + 1),
      this.sources.publishedEvents(tenant, caseId, page.after, page.limit + 1),
    ]);
    const merged = [
      ...own.map(({ position, event }) => ({ position, entry: intakeEntry(caseId, event) })),
      ...published.map(({ position, event }) => ({ position, entry: publishedEntry(event) })),
    ].sort((a, b) => comparePositions(a.position, b.position));
    const shown = merged.slice(0, page.limit);
    const last = shown.at(-1);
    return {
      caseId,
      entries: shown.map((e) => e.entry),
      nextCursor: merged.length > page.limit && last ? encodeTimelineCursor(last.position) : null,
    };
  }
}
