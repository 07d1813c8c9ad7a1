import type { PoolClient } from 'pg';
import { DomainError } from '@aftersales/domain';
import {
  type StreamSession,
  timerOrigin,
  type PreparedTimers,
  type ServiceDatabase,
  type Timer,
  type TimerBatch,
} from '@aftersales/eventstore';
import type { Logger } from '@aftersales/observability';
import { DurableTimerWorker, type Clock } from '@aftersales/service-runtime';
import type { LogisticsConfig } from './logistics.config';
import type { ShipmentNotices } from './shipment-notices';
import { shipmentSession } from './shipment-snapshots';
import { shipmentStream, type ShipmentsService } from './shipments.service';
import { logisticsTimerKinds, type TrackingTimerPayload } from './tracking-timers';

const shipmentOf = (timer: Timer) =>
  timer.kind === logisticsTimerKinds.tracking ? (timer.payload as TrackingTimerPayload).shipmentId : null;

/** Tracking timers first, in shipment stream order (the order a batch of scans appends in), then the others by due. */
export function firingOrder(a: Timer, b: Timer): number {
  const [x, y] = [shipmentOf(a), shipmentOf(b)];
  if (x !== null && y !== null && x !== y) return x < y ? -1 : 1;
  if (x !== null && y === null) return -1;
  if (x === null && y !== null) return 1;
  return a.dueAt.getTime() - b.dueAt.getTime();
}

/** The actor of what the tracking rules decide: the platform's rules. */
export const TRACKING_TIMER = { id: 'system:logistics.tracking', roles: ['system'] } as const;

/**
 * Fires the service's durable timers with their effects, once across replicas and restarts: `shipment-tracking` →
 * `CheckTracking` (stalled, lost, the phase timeouts; the decider re-checks at the timer's time, so a timer made stale
 * by a later scan changes nothing); `shipment-notice` → the notice, delivered once. A transaction's timers are fired
 * set-based ({@link prepare}): its tracking timers (a burst of shipments falling silent together) checked on their
 * shipments read in one query, its notices recorded in one statement; when that fails, each fires on its own in its
 * savepoint ({@link fire}), the tracking timers on one session.
 */
export class LogisticsTimers extends DurableTimerWorker {
  constructor(
    database: ServiceDatabase,
    private readonly shipments: ShipmentsService,
    private readonly notices: ShipmentNotices,
    clock: Clock,
    config: LogisticsConfig,
    logger: Logger,
  ) {
    super({
      name: 'logistics timers',
      database,
      connections: 'own',
      loops: config.timerLoops,
      // A burst (pickups asking for notices, shipments falling silent together asking for checks and two notices each)
      // is fired set-based (prepare), a claim costing a few statements whatever its size: fifty to a transaction (the
      // scheduler's batch) cut the commits and claims per timer. Ten, when notices fired one by one, could not keep
      // up with 333 stalled shipments a second (docs/benchmarks.md, issue 11's timers).
      perTransaction: 50,
      // Stream locks taken in one order (the scans' appends take them by stream id): no deadlock between the two.
      order: firingOrder,
      pollMs: config.timerPollMs,
      slackMs: config.timerSlackMs,
      retry: { baseMs: config.timerRetryBaseMs, maxMs: config.timerRetryMaxMs },
      clock,
      logger,
    });
  }

  /**
   * The transaction's timers set-based. Tracking timers: their shipments read in one query, each tenant's policy once,
   * every check decided and all their events appended in one statement, the consequences written once per tenant.
   * Notices (a burst of stalled shipments asks for two each): looked up in one query, their webhooks called side by
   * side, recorded in one statement; one whose webhook failed is retried with backoff. The timers it handled fire as
   * done; when it throws (a shipment written concurrently since it was read), its writes roll back to the savepoint and
   * each timer fires on its own, as without it.
   */
  protected override async prepare(
    timers: readonly Timer[],
    tx: PoolClient,
    batch: TimerBatch,
  ): Promise<PreparedTimers | void> {
    const fired = new Set<string>();
    const failed = new Map<string, unknown>();
    const tracking = timers.filter((t) => t.kind === logisticsTimerKinds.tracking);
    if (tracking.length > 0) {
      const checks = [];
      for (const timer of tracking) {
        const policy = await this.policyOf(timer.tenant, tx, batch);
        checks.push({ origin: timerOrigin(timer, TRACKING_TIMER), shipmentId: shipmentOf(timer) as string, policy });
      }
      const outcomes = await this.shipments.checkTrackingAll(checks, tx);
      outcomes.forEach((outcome, i) => {
        const timer = tracking[i] as Timer;
        if ('error' in outcome)
          this.logger.info(
            { shipmentId: outcome.shipmentId, code: outcome.error.code },
            'tracking timer: nothing to do',
          );
        else if (outcome.appended.length > 0)
          this.logger.info(
            { tenant: timer.tenant, shipmentId: outcome.shipmentId, appended: outcome.appended },
            'tracking rule fired',
          );
      });
      for (const timer of tracking) fired.add(timer.id);
    }
    const notices = timers.filter((t) => t.kind === logisticsTimerKinds.notice);
    if (notices.length > 0) {
      const delivered = await this.notices.deliverMany(notices, tx, this.logger);
      for (const timer of notices) {
        const outcome = delivered.get(timer.id);
        if (outcome === 'delivered') fired.add(timer.id);
        else failed.set(timer.id, outcome);
      }
    }
    return fired.size > 0 || failed.size > 0 ? { fired, failed } : undefined;
  }

  protected async fire(timer: Timer, tx: PoolClient, batch: TimerBatch): Promise<void> {
    switch (timer.kind) {
      case logisticsTimerKinds.tracking: {
        const { shipmentId } = timer.payload as TrackingTimerPayload;
        const session = await this.sessionOf(batch);
        try {
          const policy = await this.policyOf(timer.tenant, tx, batch);
          const origin = timerOrigin(timer, TRACKING_TIMER);
          const appended = await this.shipments.checkTracking(origin, shipmentId, tx, policy, session);
          if (appended.length > 0)
            this.logger.info({ tenant: timer.tenant, shipmentId, appended }, 'tracking rule fired');
        } catch (error) {
          if (!(error instanceof DomainError)) {
            // Its writes roll back to its savepoint: the session must not keep what it appended.
            session.forget(shipmentStream(shipmentId));
            throw error;
          }
          this.logger.info({ shipmentId, code: error.code }, 'tracking timer: nothing to do');
        }
        return;
      }
      case logisticsTimerKinds.notice:
        return this.notices.deliver(timer, tx, this.logger);
      default:
        this.logger.warn({ timerId: timer.id, kind: timer.kind }, 'timer of an unknown kind dropped');
    }
  }

  /** The shipments one transaction of timers has read (one session per transaction, shared by its timers). */
  private sessionOf(batch: TimerBatch): Promise<StreamSession> {
    return batch.once('shipments', () => Promise.resolve(shipmentSession()));
  }

  /** The tenant's policy once for the timers of a transaction (a change committed since applies to the next). */
  private policyOf(tenant: string, tx: PoolClient, batch: TimerBatch) {
    return batch.once(`policy:${tenant}`, () => this.shipments.policyFor(tenant, tx));
  }
}
