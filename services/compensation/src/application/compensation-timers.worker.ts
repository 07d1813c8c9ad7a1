import type { PoolClient } from 'pg';
import { DomainError } from '@aftersales/domain';
import { timerOrigin, type ServiceDatabase, type Timer } from '@aftersales/eventstore';
import type { Logger } from '@aftersales/observability';
import { DurableTimerWorker, type Clock } from '@aftersales/service-runtime';
import type { CompensationConfig } from './compensation.config';
import { compensationTimerKinds, type CompensationService, type PayoutTimerPayload } from './compensation.service';
import type { Payouts } from './payouts';

/** The actor of what the timers decide: the platform's rules. */
export const COMPENSATION_TIMER = { id: 'system:compensation.timers', roles: ['system'] } as const;

/**
 * Fires the service's durable timers, each in its own transaction, once across replicas and restarts: expiries of
 * pending approvals and unanswered offers (the budget reserved is released), payout attempts and reconciliations.
 * A timer whose effect fails (the provider still pending, the database away) is retried with exponential backoff.
 */
export class CompensationTimers extends DurableTimerWorker {
  constructor(
    database: ServiceDatabase,
    private readonly compensations: CompensationService,
    private readonly payouts: Payouts,
    clock: Clock,
    config: CompensationConfig,
    logger: Logger,
  ) {
    super({
      name: 'compensation timers',
      database,
      connections: 'own',
      loops: config.timerLoops,
      pollMs: config.timerPollMs,
      retry: { baseMs: config.timerRetryBaseMs, maxMs: config.timerRetryMaxMs },
      clock,
      logger,
    });
  }

  protected async fire(timer: Timer, tx: PoolClient): Promise<void> {
    const origin = timerOrigin(timer, COMPENSATION_TIMER);
    const payload = timer.payload as PayoutTimerPayload;
    switch (timer.kind) {
      case compensationTimerKinds.expiry:
        try {
          await this.compensations.execute(
            origin,
            payload.compensationId,
            { type: 'ExpireCompensation', data: {} },
            tx,
          );
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          this.logger.info({ timerId: timer.id, code: error.code }, 'compensation expiry: nothing to do');
        }
        return;
      case compensationTimerKinds.payoutSend:
        return this.payouts.send(origin, payload, tx);
      case compensationTimerKinds.payoutCheck:
        return this.payouts.check(origin, payload, tx);
      default:
        this.logger.warn({ timerId: timer.id, kind: timer.kind }, 'timer of an unknown kind dropped');
    }
  }
}
