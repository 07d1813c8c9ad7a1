import type { PoolClient } from 'pg';
import { DomainError } from '@aftersales/domain';
import {
  CommitPacer,
  TimerScheduler,
  timerOrigin,
  type CommandRequest,
  type ServiceDatabase,
  type Timer,
  type TimerBatch,
  type TimerRetry,
} from '@aftersales/eventstore';
import { TimerBackoff } from '@aftersales/notifications';
import type { Logger } from '@aftersales/observability';
import type { BackgroundWorker, Clock } from '@aftersales/service-runtime';
import type { CaseCommand } from '../domain/case.commands';
import type { CaseCommandRunner, CasePolicies, SlaClockTimerPayload, SlaRungTimerPayload } from './case-command-runner';
import { slaTimerKinds } from './case-streams';
import type { IntakeConfig } from './intake.config';
import type { SlaMetricsPort } from './sla-metrics.port';
import type { SlaNotifications } from './sla-notifications';

/** The actor of what the SLA timers decide: the platform's rules (`system`). */
export const SLA_TIMER = { id: 'system:intake.sla-clocks', roles: ['system'] } as const;

/** Timers one `fireDue` fires at most before a loop looks again. */
const TIMER_BATCH = 50;

/**
 * Timers one transaction claims and fires (each in its savepoint): a commit and a claim for several timers, and the
 * tenant's policies read once for them. Measured with `npm run bench:cases` (docs/benchmarks.md).
 */
const TIMERS_PER_TRANSACTION = 10;

/**
 * Fires intake's durable timers (rows in `es_timers`, scheduled by `CaseCommandRunner` in the transaction of the events
 * that asked for them), several per transaction, each with its effects in its own savepoint, once across replicas and
 * restarts, on connections of their own (one per loop, beside the service's pool) so HTTP bursts cannot starve them:
 *
 * - `sla-warning` / `sla-breach` → `RecordSlaWarning` / `RecordSlaBreach` on the case;
 * - `sla-rung` → `EscalateSlaBreach` (the case goes up to the rung while the clock is still breached);
 * - `sla-notification` → the notice delivered once to the escalation webhook.
 *
 * The Case decider re-checks the clock against the case as it is now: a timer that is stale (the clock was met,
 * paused, restarted) or early (the tenant's calendar changed) is refused, and the refusal ends the timer quietly; only
 * infrastructure errors and failed deliveries are retried, with exponential backoff (`TimerBackoff`) moved by the
 * claiming transaction. How late each timer fires (fired-at minus due-at, on the service's clock) goes to the metrics.
 */
export class SlaTimers implements BackgroundWorker {
  private readonly scheduler: TimerScheduler;
  private readonly backoff: TimerBackoff;
  private running = false;
  private loops: Array<Promise<void>> = [];

  constructor(
    database: ServiceDatabase,
    private readonly runner: CaseCommandRunner,
    private readonly notifications: SlaNotifications,
    private readonly metrics: SlaMetricsPort,
    private readonly clock: Clock,
    private readonly config: IntakeConfig,
    private readonly logger: Logger,
  ) {
    this.backoff = new TimerBackoff({ baseMs: config.timerRetryBaseMs, maxMs: config.timerRetryMaxMs }, clock);
    this.scheduler = new TimerScheduler(database.ownPool(config.timerConcurrency), {
      now: clock,
      batchSize: TIMER_BATCH,
      perTransaction: TIMERS_PER_TRANSACTION,
      fire: (timer, tx, batch) => this.fire(timer, tx, batch),
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

  /** Fires what is due now; returns how many timers fired. */
  fireDue(): Promise<number> {
    return this.scheduler.fireDue();
  }

  private async run(): Promise<void> {
    // Each loop paces itself on the timers channel: woken by a commit that scheduled a timer due now (a notice).
    const pacer = new CommitPacer({ idleMs: this.config.timerPollMs, channel: 'timers' });
    while (this.running) {
      pacer.pollStarts();
      const fired = await this.fireDue().catch((error: unknown) => {
        this.logger.error({ err: error }, 'SLA timers: polling failed');
        return 0;
      });
      if (fired < TIMER_BATCH) await pacer.waitForMore();
    }
  }

  private async fire(timer: Timer, tx: PoolClient, batch: TimerBatch): Promise<void> {
    this.metrics.timerFired(timer.kind, Math.max(0, this.clock().getTime() - timer.dueAt.getTime()) / 1000);
    switch (timer.kind) {
      case slaTimerKinds.warning: {
        const { caseId, clockId, instance } = timer.payload as SlaClockTimerPayload;
        return this.decide(timer, tx, batch, caseId, { type: 'RecordSlaWarning', data: { clockId, instance } });
      }
      case slaTimerKinds.breach: {
        const { caseId, clockId, instance } = timer.payload as SlaClockTimerPayload;
        return this.decide(timer, tx, batch, caseId, { type: 'RecordSlaBreach', data: { clockId, instance } });
      }
      case slaTimerKinds.rung: {
        const { caseId, clockId, instance, rung } = timer.payload as SlaRungTimerPayload;
        return this.decide(timer, tx, batch, caseId, { type: 'EscalateSlaBreach', data: { clockId, instance, rung } });
      }
      case slaTimerKinds.notification: {
        const { sla } = await this.policiesOf(timer, tx, batch);
        return this.notifications.deliver(timer, tx, this.logger, sla);
      }
      default:
        this.logger.warn({ timerId: timer.id, kind: timer.kind }, 'timer of an unknown kind dropped');
    }
  }

  /** Runs the timer's command; the decider's refusal (nothing to do any more) ends the timer. */
  private async decide(
    timer: Timer,
    tx: PoolClient,
    batch: TimerBatch,
    caseId: string,
    command: CommandRequest<CaseCommand>,
  ) {
    const about = { tenant: timer.tenant, caseId, timerId: timer.id };
    try {
      const policies = await this.policiesOf(timer, tx, batch);
      const outcome = await this.runner.run(tx, timerOrigin(timer, SLA_TIMER), caseId, command, { policies });
      const appended = outcome.appended.map((e) => e.type);
      if (appended.length > 0) this.logger.info({ ...about, appended }, `SLA timer: ${command.type}`);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.logger.info({ ...about, code: error.code }, `SLA timer: nothing to do (${command.type})`);
    }
  }

  /** The tenant's policies, read once for the timers of a transaction (a change committed since applies to the next). */
  private policiesOf(timer: Timer, tx: PoolClient, batch: TimerBatch): Promise<CasePolicies> {
    return batch.once(`policies:${timer.tenant}`, () => this.runner.policiesFor(timer.tenant, tx));
  }

  private failed(error: unknown, timer: Timer | undefined, retry: TimerRetry | undefined): void {
    if (!timer) {
      this.logger.error({ err: error }, 'SLA timers: a timer could not be claimed');
      return;
    }
    if (!retry) {
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
