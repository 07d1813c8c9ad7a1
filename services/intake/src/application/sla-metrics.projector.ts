import { DurableSubscription, type ServiceDatabase, type StoredEvent } from '@aftersales/eventstore';
import type { Logger } from '@aftersales/observability';
import type { BackgroundWorker } from '@aftersales/service-runtime';
import type { SlaClockBreached } from '../domain/case.events';
import { caseIdOfStream } from './case-streams';
import type { SlaMetricsPort } from './sla-metrics.port';

/**
 * Counts breaches from COMMITTED events, after their commit: a durable subscription reads the event store past its
 * checkpoint, and a batch's observations reach the {@link SlaMetricsPort} only once the batch's transaction (with its
 * checkpoint) committed. A timer whose transaction rolled back never counts, and a restart does not count again.
 */
export class SlaMetricsProjector implements BackgroundWorker {
  private readonly subscription: DurableSubscription;
  private pending: Array<() => void> = [];

  constructor(
    database: ServiceDatabase,
    private readonly metrics: SlaMetricsPort,
    logger: Logger,
    idleMs = 1_000,
  ) {
    this.subscription = new DurableSubscription(database.pool, {
      name: 'intake-sla-metrics',
      handle: (event) => this.observe(event),
      idleMs,
      // Counters are scraped every 15–60 s: one transaction a second at most, not one per commit.
      minPollIntervalMs: 1_000,
      onCommitted: () => {
        const observations = this.pending;
        this.pending = [];
        for (const apply of observations) apply();
      },
      onAbandoned: () => {
        this.pending = [];
      },
      onError: (error) => logger.warn({ err: error }, 'SLA metrics: batch failed; retrying'),
    });
  }

  start(): void {
    this.subscription.start();
  }

  async stop(): Promise<void> {
    await this.subscription.stop();
  }

  private async observe(stored: StoredEvent): Promise<void> {
    if (stored.type !== 'SlaClockBreached' || caseIdOfStream(stored.streamId) === null) return;
    const { clockId } = stored.data as SlaClockBreached['data'];
    this.pending.push(() => this.metrics.clockBreached(clockId));
  }
}
