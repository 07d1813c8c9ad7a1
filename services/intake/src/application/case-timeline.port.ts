import type { IntakeCaseEvent, PublishedCaseEvent } from './case-timeline.entries';

/**
 * Where an entry stands in a case's timeline: the time it happened (to the millisecond), then its origin (`0` intake's
 * event store, `1` another service's events), then its sequence there (the store's global position, or the order the
 * `case-timeline` consumer received it in, which keeps each aggregate's Kafka order). A total, stable order.
 */
export interface TimelinePosition {
  readonly atMs: number;
  readonly origin: 0 | 1;
  readonly sequence: string;
}

/** An event with its position in the timeline. */
export interface Positioned<E> {
  readonly position: TimelinePosition;
  readonly event: E;
}

/**
 * Port: what a case's timeline is read from, always within one tenant. Adapter:
 * `infrastructure/persistence/case-timeline.postgres.ts`.
 */
export interface CaseTimelineSources {
  /** Whether the tenant has the case (another tenant's case is indistinguishable from none). */
  caseExists(tenant: string, caseId: string): Promise<boolean>;
  /**
   * Intake's own events of the tenant that concern the case, after `after`, in timeline order, at most `limit`: the
   * case stream's events (whatever their type) and every other stream's event naming the case (`data.caseId`: its
   * complaints, the review that opened it).
   */
  intakeEvents(
    tenant: string,
    caseId: string,
    after: TimelinePosition | null,
    limit: number,
  ): Promise<Array<Positioned<IntakeCaseEvent>>>;
  /** Other services' events of the tenant that name the case, after `after`, in timeline order, at most `limit`. */
  publishedEvents(
    tenant: string,
    caseId: string,
    after: TimelinePosition | null,
    limit: number,
  ): Promise<Array<Positioned<PublishedCaseEvent>>>;
}

/** DI token of the {@link CaseTimelineSources}. */
export const CASE_TIMELINE_SOURCES = Symbol('CASE_TIMELINE_SOURCES');
