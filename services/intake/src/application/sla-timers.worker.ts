import type { PoolClient } from 'pg';
import { DomainError } from '@aftersales/domain';
import {
  timerOrigin,
  type CommandRequest,
  type ServiceDatabase,
  type Timer,
  type TimerBatch,
} from '@aftersales/eventstore';
import type { Logger } from '@aftersales/observability';
import { DurableTimerWorker, type Clock } from '@aftersales/service-runtime';
import type { CaseCommand } from '../domain/case.commands';
import type { CaseCommandRunner, CasePolicies, SlaClockTimerPayload, SlaRungTimerPayload } from './case-command-runner';
import { slaTimerKinds } from './case-streams';
import type { IntakeConfig } from './intake.config';
import type { SlaMetricsPort } from './sla-metrics.port';
import type { SlaNotifications } from './sla-notifications';

/** The actor of what the SLA timers decide: the platform's rules (`system`). */
export const SLA_TIMER = { id: 'system:intake.sla-clocks', roles: ['system'] } as const;

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
export class SlaTimers extends DurableTimerWorker {
  constructor(
    database: ServiceDatabase,
    private readonly runner: CaseCommandRunner,
    private readonly notifications: SlaNotifications,
    private readonly metrics: SlaMetricsPort,
    clock: Clock,
    config: IntakeConfig,
    logger: Logger,
  ) {
    super({
      name: 'SLA timers',
      database,
      connections: 'own',
      loops: config.timerConcurrency,
      pollMs: config.timerPollMs,
      retry: { baseMs: config.timerRetryBaseMs, maxMs: config.timerRetryMaxMs },
      perTransaction: TIMERS_PER_TRANSACTION,
      clock,
      logger,
    });
  }

  protected async fire(timer: Timer, tx: PoolClient, batch: TimerBatch): Promise<void> {
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
}
