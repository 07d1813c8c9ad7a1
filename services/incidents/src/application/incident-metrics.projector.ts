import type { PoolClient } from 'pg';
import {
  DurableSubscription,
  fold,
  PostgresEventStore,
  type ServiceDatabase,
  type StoredEvent,
} from '@aftersales/eventstore';
import type { Logger } from '@aftersales/observability';
import type { BackgroundWorker } from '@aftersales/service-runtime';
import { createIncidentDecider, initialIncidentState, type IncidentEvent, type IncidentState } from '../domain';
import type { IncidentMetricsPort } from './incident-metrics.port';
import { incidentIdOfStream } from './incident-streams';

type Observation = () => void;

/**
 * Counts from COMMITTED events, after their commit: a durable subscription reads the event store past its
 * checkpoint, and a batch's observations reach the {@link IncidentMetricsPort} only once the batch's transaction (with
 * its checkpoint) committed. A rolled-back command, a retried inbox transaction or a timer that failed never counts,
 * and a restart does not count again. Counters restart at zero with the process, as Prometheus expects; with several
 * replicas each counts the batches it took, and `sum()` is exact.
 */
export class IncidentMetricsProjector implements BackgroundWorker {
  private readonly subscription: DurableSubscription;
  private readonly store: PostgresEventStore;
  private pending: Observation[] = [];

  constructor(
    database: ServiceDatabase,
    private readonly metrics: IncidentMetricsPort,
    private readonly logger: Logger,
    idleMs = 1_000,
  ) {
    this.store = new PostgresEventStore(database.pool);
    this.subscription = new DurableSubscription(database.pool, {
      name: 'incidents-metrics',
      handle: (event, tx) => this.observe(event, tx),
      idleMs,
      // Counters are scraped every 15–60 s: counting once a second at most costs one transaction per second, not one
      // per commit (five statements each, most batches holding nothing this projector counts).
      minPollIntervalMs: 1_000,
      // A batch's observations count only once its transaction (with the checkpoint) committed.
      onCommitted: () => {
        const observations = this.pending;
        this.pending = [];
        for (const apply of observations) apply();
      },
      onAbandoned: () => {
        this.pending = [];
      },
      onError: (error) => this.logger.warn({ err: error }, 'incident metrics: batch failed; retrying'),
    });
  }

  start(): void {
    this.subscription.start();
  }

  async stop(): Promise<void> {
    await this.subscription.stop();
  }

  /** One batch: observations are applied only if the batch committed. */
  async poll(): Promise<number> {
    return this.subscription.poll();
  }

  private async observe(stored: StoredEvent, tx: PoolClient): Promise<void> {
    if (incidentIdOfStream(stored.streamId) === null) return;
    const event = { type: stored.type, data: stored.data } as IncidentEvent;
    switch (event.type) {
      case 'ResponseTeamPaged': {
        const { level, trigger } = event.data;
        this.pending.push(() => this.metrics.responseTeamPaged(level, trigger));
        break;
      }
      case 'ContactDeadlineBreached': {
        const { level } = event.data;
        this.pending.push(() => this.metrics.contactDeadlineBreached(level));
        break;
      }
      case 'CustomersContacted': {
        // Only the first contact ends the wait: the incident was still in activation just before it.
        const before = await this.stateBefore(stored, tx);
        if (before.status !== 'activation') break;
        const seconds = (Date.parse(event.data.at) - Date.parse(before.incident.openedAt)) / 1000;
        const { level } = before.incident;
        const { traceparent } = stored.metadata;
        this.pending.push(() => this.metrics.firstContact(level, Math.max(seconds, 0), traceparent));
        break;
      }
      default:
        break;
    }
  }

  private async stateBefore(stored: StoredEvent, tx: PoolClient): Promise<IncidentState> {
    const history = (await this.store.readStream(stored.streamId, 0, tx)).filter(
      (e) => e.streamVersion < stored.streamVersion,
    );
    return fold<IncidentState, IncidentEvent>(
      { evolve: createIncidentDecider().evolve, initialState: initialIncidentState },
      history,
    );
  }
}
