import type { PoolClient } from 'pg';
import { DomainError } from '@aftersales/domain';
import {
  CommitPacer,
  TimerScheduler,
  timerOrigin,
  type ServiceDatabase,
  type Timer,
  type TimerRetry,
} from '@aftersales/eventstore';
import { TimerBackoff } from '@aftersales/notifications';
import type { Logger } from '@aftersales/observability';
import type { BackgroundWorker, Clock } from '@aftersales/service-runtime';
import type { IncidentCommandRunner } from './incident-command-runner';
import type { IncidentsConfig } from './incidents.config';
import type { Pager } from './pager';

/** The actor of what the timers decide. */
export const INCIDENT_TIMER = { id: 'incidents.timer', roles: ['system'] } as const;

/** Timers one `fireDue` fires at most before the loop looks again. */
const TIMER_BATCH = 50;

/**
 * Fires the incidents service's durable timers (rows in `es_timers`, scheduled in the transaction of the events that
 * asked for them): `contact-deadline` flags a breach through the Incident decider, `page-delivery` delivers a page.
 * Each timer fires in its own transaction with its effects, once, across replicas and restarts. A timer whose effect
 * fails has its effects rolled back and is moved later with exponential backoff (`TimerBackoff` of
 * `@aftersales/notifications`: an attempt counter in its payload) by the transaction that claimed it, so no other loop or replica can retry it sooner; a pager that is down neither loses
 * pages nor blocks the timers behind it; several loops share the due timers (`SKIP LOCKED`), so one slow pager call
 * does not hold back a deadline due at the same time.
 */
export class IncidentTimers implements BackgroundWorker {
  private readonly scheduler: TimerScheduler;
  private readonly backoff: TimerBackoff;
  private running = false;
  private loops: Array<Promise<void>> = [];

  constructor(
    database: ServiceDatabase,
    private readonly runner: IncidentCommandRunner,
    private readonly pager: Pager,
    clock: Clock,
    private readonly config: IncidentsConfig,
    private readonly logger: Logger,
  ) {
    // base × 2^(attempts − 1) later, capped; the attempt count rides in the payload.
    this.backoff = new TimerBackoff({ baseMs: config.timerRetryBaseMs, maxMs: config.timerRetryMaxMs }, clock);
    this.scheduler = new TimerScheduler(database.pool, {
      now: clock,
      batchSize: TIMER_BATCH,
      fire: (timer, tx) => this.fire(timer, tx),
      retry: this.backoff.retry,
      onError: (error, timer, retry) => this.failed(error, timer, retry),
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = Array.from({ length: this.config.timerConcurrency }, () => this.run());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Fires what is due now; returns how many timers fired. Failed ones are moved later before it returns. */
  fireDue(): Promise<number> {
    return this.scheduler.fireDue();
  }

  private async run(): Promise<void> {
    // Each loop paces itself on the timers channel: woken by a commit that scheduled a timer due now.
    const pacer = new CommitPacer({ idleMs: this.config.timerPollMs, channel: 'timers' });
    while (this.running) {
      pacer.pollStarts();
      const fired = await this.fireDue().catch((error: unknown) => {
        this.logger.error({ err: error }, 'incident timers: polling failed');
        return 0;
      });
      // Fewer than a batch: nothing was due any more when it stopped. A commit in this process may have scheduled a
      // timer due now (a page to deliver) since: that ends the wait at once or early.
      if (fired < TIMER_BATCH) await pacer.waitForMore();
    }
  }

  private async fire(timer: Timer, tx: PoolClient): Promise<void> {
    switch (timer.kind) {
      case 'contact-deadline':
        return this.flagContactDeadlineBreach(timer, tx);
      case 'page-delivery':
        return this.pager.deliver(timer, tx);
      default:
        this.logger.warn({ timerId: timer.id, kind: timer.kind }, 'timer of an unknown kind dropped');
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

  private failed(error: unknown, timer: Timer | undefined, retry: TimerRetry | undefined): void {
    if (!timer) {
      this.logger.error({ err: error }, 'incident timers: a timer could not be claimed');
      return;
    }
    if (!retry) {
      // The timer stays due: the next poll retries it at once, which is safe, only not spaced out.
      this.logger.error({ err: error, timerId: timer.id, kind: timer.kind }, 'could not reschedule a failed timer');
      return;
    }
    const { attempts } = retry.payload as { attempts: number };
    this.logger.warn(
      { err: error, timerId: timer.id, kind: timer.kind, attempts, retryInMs: this.backoff.delayMs(attempts) },
      'timer failed; retrying with backoff',
    );
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
