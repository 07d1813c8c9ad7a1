import type { PoolClient } from 'pg';
import { DomainError } from '@aftersales/domain';
import { timerOrigin, type ServiceDatabase, type Timer } from '@aftersales/eventstore';
import type { Logger } from '@aftersales/observability';
import { DurableTimerWorker, type Clock } from '@aftersales/service-runtime';
import type { IncidentCommandRunner } from './incident-command-runner';
import type { IncidentsConfig } from './incidents.config';
import type { Pager } from './pager';

/** The actor of what the timers decide. */
export const INCIDENT_TIMER = { id: 'incidents.timer', roles: ['system'] } as const;

/**
 * Fires the incidents service's durable timers (rows in `es_timers`, scheduled in the transaction of the events that
 * asked for them): `contact-deadline` flags a breach through the Incident decider, `page-delivery` delivers a page.
 * Each timer fires in its own transaction with its effects, once, across replicas and restarts. A timer whose effect
 * fails has its effects rolled back and is moved later with exponential backoff (`TimerBackoff` of
 * `@aftersales/notifications`: an attempt counter in its payload) by the transaction that claimed it, so no other loop or replica can retry it sooner; a pager that is down neither loses
 * pages nor blocks the timers behind it; several loops share the due timers (`SKIP LOCKED`), so one slow pager call
 * does not hold back a deadline due at the same time.
 */
export class IncidentTimers extends DurableTimerWorker {
  constructor(
    database: ServiceDatabase,
    private readonly runner: IncidentCommandRunner,
    private readonly pager: Pager,
    clock: Clock,
    config: IncidentsConfig,
    logger: Logger,
  ) {
    super({
      name: 'incident timers',
      database,
      connections: 'service',
      loops: config.timerConcurrency,
      pollMs: config.timerPollMs,
      retry: { baseMs: config.timerRetryBaseMs, maxMs: config.timerRetryMaxMs },
      clock,
      logger,
    });
  }

  protected async fire(timer: Timer, tx: PoolClient): Promise<void> {
    switch (timer.kind) {
      case 'contact-deadline':
        return this.flagContactDeadlineBreach(timer, tx);
      case 'page-delivery':
        return this.pager.deliver(timer, tx);
      case 'retrospective-reminder':
        return this.retrospective(timer, tx, 'RemindRetrospective');
      case 'retrospective-overdue':
        return this.retrospective(timer, tx, 'FlagRetrospectiveOverdue');
      default:
        this.logger.warn({ timerId: timer.id, kind: timer.kind }, 'timer of an unknown kind dropped');
    }
  }

  /** The retrospective's reminder or due date: the decider pages (or decides nothing once it is recorded). */
  private async retrospective(
    timer: Timer,
    tx: PoolClient,
    type: 'RemindRetrospective' | 'FlagRetrospectiveOverdue',
  ): Promise<void> {
    const { incidentId } = timer.payload as { incidentId: string };
    try {
      const outcome = await this.runner.run(tx, {
        incidentId,
        origin: timerOrigin(timer, INCIDENT_TIMER),
        command: { type, data: {} },
      });
      if (outcome.appended.length > 0) {
        this.logger.warn({ tenant: timer.tenant, incidentId, timer: timer.kind }, 'retrospective not recorded: paged');
      }
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.logger.info({ tenant: timer.tenant, incidentId, code: error.code }, 'retrospective timer: nothing to do');
    }
  }

  /**
   * The decider refuses what there is nothing to do for (contacted in time, breach already flagged, incident moved
   * on, timer early): a refusal ends the timer quietly; only infrastructure errors are retried.
   */
  private async flagContactDeadlineBreach(timer: Timer, tx: PoolClient): Promise<void> {
    const { incidentId } = timer.payload as { incidentId: string };
    try {
      const outcome = await this.runner.run(tx, {
        incidentId,
        origin: timerOrigin(timer, INCIDENT_TIMER),
        command: { type: 'FlagContactDeadlineBreach', data: {} },
      });
      if (outcome.appended.length > 0) {
        this.logger.warn({ tenant: timer.tenant, incidentId }, 'contact deadline breached: next tier paged');
      }
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.logger.info({ tenant: timer.tenant, incidentId, code: error.code }, 'contact deadline timer: nothing to do');
    }
  }
}

/** Builds the worker from the running Nest app (its providers) and the service's clock and logger. */
export function incidentTimers(deps: {
  database: ServiceDatabase;
  runner: IncidentCommandRunner;
  pager: Pager;
  clock: Clock;
  config: IncidentsConfig;
  logger: Logger;
}): IncidentTimers {
  return new IncidentTimers(deps.database, deps.runner, deps.pager, deps.clock, deps.config, deps.logger);
}
