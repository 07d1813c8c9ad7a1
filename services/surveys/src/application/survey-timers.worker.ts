import type { PoolClient } from 'pg';
import type { ServiceDatabase, Timer } from '@aftersales/eventstore';
import type { Logger } from '@aftersales/observability';
import { DurableTimerWorker, type Clock } from '@aftersales/service-runtime';
import type { CaseSurveysService } from './case-surveys.service';
import type { SurveysConfig } from './surveys.config';

/**
 * Fires the service's durable timers (`es_timers`), each in its own transaction with its effects, once across
 * replicas and restarts: a case survey's invitation, reminder and expiry, and a follow-up call's due time. A failed
 * delivery (the gateway down) is retried with exponential backoff.
 */
export class SurveyTimers extends DurableTimerWorker {
  constructor(
    database: ServiceDatabase,
    private readonly surveys: CaseSurveysService,
    clock: Clock,
    config: SurveysConfig,
    logger: Logger,
  ) {
    super({
      name: 'survey timers',
      database,
      connections: 'service',
      loops: 1,
      pollMs: config.timerPollMs,
      retry: { baseMs: config.timerRetryBaseMs, maxMs: config.timerRetryMaxMs },
      clock,
      logger,
    });
  }

  protected fire(timer: Timer, tx: PoolClient): Promise<void> {
    return this.surveys.fire(timer, tx, this.logger);
  }
}
