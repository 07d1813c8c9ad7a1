import type { PoolClient } from 'pg';
import { DomainError } from '@aftersales/domain';
import { timerOrigin, type ServiceDatabase, type Timer, type TimerBatch } from '@aftersales/eventstore';
import type { Logger } from '@aftersales/observability';
import { DurableTimerWorker, type Clock } from '@aftersales/service-runtime';
import type { LogisticsConfig } from './logistics.config';
import type { ShipmentNotices } from './shipment-notices';
import type { ShipmentsService } from './shipments.service';
import { logisticsTimerKinds, type TrackingTimerPayload } from './tracking-timers';

/** The actor of what the tracking rules decide: the platform's rules. */
export const TRACKING_TIMER = { id: 'system:logistics.tracking', roles: ['system'] } as const;

/**
 * Fires the service's durable timers, each in its own transaction with its effects, once across replicas and restarts:
 * `shipment-tracking` → `CheckTracking` (stalled, lost, the phase timeouts; the decider re-checks at the timer's time,
 * so a timer made stale by a later scan changes nothing); `shipment-notice` → the notice, delivered once.
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
      // Each scan's departure asks for a notice due at once: a burst of pickups is a burst of notices, fired ten to a
      // transaction so the tracking timers behind them are not held up by one commit per notice.
      perTransaction: 10,
      pollMs: config.timerPollMs,
      retry: { baseMs: config.timerRetryBaseMs, maxMs: config.timerRetryMaxMs },
      clock,
      logger,
    });
  }

  protected async fire(timer: Timer, tx: PoolClient, batch: TimerBatch): Promise<void> {
    switch (timer.kind) {
      case logisticsTimerKinds.tracking: {
        const { shipmentId } = timer.payload as TrackingTimerPayload;
        try {
          // The tenant's policy once for the timers of a transaction (a change committed since applies to the next).
          const policy = await batch.once(`policy:${timer.tenant}`, () => this.shipments.policyFor(timer.tenant, tx));
          const origin = timerOrigin(timer, TRACKING_TIMER);
          const appended = await this.shipments.checkTracking(origin, shipmentId, tx, policy);
          if (appended.length > 0)
            this.logger.info({ tenant: timer.tenant, shipmentId, appended }, 'tracking rule fired');
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
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
}
