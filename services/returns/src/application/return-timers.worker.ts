import type { PoolClient } from 'pg';
import { DomainError } from '@aftersales/domain';
import { timerOrigin, type ServiceDatabase, type Timer } from '@aftersales/eventstore';
import type { Logger } from '@aftersales/observability';
import { DurableTimerWorker, type Clock } from '@aftersales/service-runtime';
import type { ReturnDeadlineNotices } from './return-deadline-notices';
import { returnTimerKinds, type DeadlineTimerPayload } from './return-deadline-timers';
import type { ReturnsConfig } from './returns.config';
import type { ReturnsService } from './returns.service';

/** The actor of what the deadline timers decide: the platform's rules. */
export const RETURN_TIMER = { id: 'system:returns.deadlines', roles: ['system'] } as const;

/**
 * Fires the service's durable timers, each in its own transaction with its effects, once across replicas and restarts:
 * `return-deadline` → `RecordDeadlineBreach` on the return (the decider re-checks: a met deadline or an ended return
 * ends the timer quietly); `return-deadline-notice` → the supervisor's notice, delivered once. Failed attempts (a
 * webhook down, the database away) are retried with exponential backoff.
 */
export class ReturnTimers extends DurableTimerWorker {
  constructor(
    database: ServiceDatabase,
    private readonly returns: ReturnsService,
    private readonly notices: ReturnDeadlineNotices,
    clock: Clock,
    config: ReturnsConfig,
    logger: Logger,
  ) {
    super({
      name: 'return timers',
      database,
      connections: 'service',
      loops: 1,
      pollMs: config.timerPollMs,
      retry: { baseMs: config.timerRetryBaseMs, maxMs: config.timerRetryMaxMs },
      clock,
      logger,
    });
  }

  protected async fire(timer: Timer, tx: PoolClient): Promise<void> {
    switch (timer.kind) {
      case returnTimerKinds.deadline: {
        const { returnId, deadline } = timer.payload as DeadlineTimerPayload;
        const about = { tenant: timer.tenant, returnId, deadline, timerId: timer.id };
        try {
          const { appended } = await this.returns.execute(
            timerOrigin(timer, RETURN_TIMER),
            returnId,
            { type: 'RecordDeadlineBreach', data: { deadline } },
            tx,
          );
          if (appended.length > 0) this.logger.info({ ...about, appended }, 'return deadline breached');
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          this.logger.info({ ...about, code: error.code }, 'return deadline timer: nothing to do');
        }
        return;
      }
      case returnTimerKinds.notice:
        return this.notices.deliver(timer, tx, this.logger);
      default:
        this.logger.warn({ timerId: timer.id, kind: timer.kind }, 'timer of an unknown kind dropped');
    }
  }
}
