import type { PoolClient } from 'pg';
import { DomainError } from '@aftersales/domain';
import {
  inTimerSpan,
  timerOrigin,
  type CommandRequest,
  type PreparedTimers,
  type ServiceDatabase,
  type Timer,
  type TimerBatch,
} from '@aftersales/eventstore';
import type { Logger } from '@aftersales/observability';
import { DurableTimerWorker, type Clock } from '@aftersales/service-runtime';
import type { CaseCommand } from '../domain/case.commands';
import type {
  CaseCommandRunner,
  CasePolicies,
  CaseRun,
  SlaClockTimerPayload,
  SlaRungTimerPayload,
} from './case-command-runner';
import { slaTimerKinds } from './case-streams';
import type { IntakeConfig } from './intake.config';
import type { SlaMetricsPort } from './sla-metrics.port';
import type { SlaNotifications } from './sla-notifications';

/** The command a warning, breach or rung timer runs on its case; `undefined` for the other kinds. */
function caseCommandOf(
  timer: Timer,
): { readonly caseId: string; readonly request: CommandRequest<CaseCommand> } | undefined {
  switch (timer.kind) {
    case slaTimerKinds.warning: {
      const { caseId, clockId, instance } = timer.payload as SlaClockTimerPayload;
      return { caseId, request: { type: 'RecordSlaWarning', data: { clockId, instance } } };
    }
    case slaTimerKinds.breach: {
      const { caseId, clockId, instance } = timer.payload as SlaClockTimerPayload;
      return { caseId, request: { type: 'RecordSlaBreach', data: { clockId, instance } } };
    }
    case slaTimerKinds.rung: {
      const { caseId, clockId, instance, rung } = timer.payload as SlaRungTimerPayload;
      return { caseId, request: { type: 'EscalateSlaBreach', data: { clockId, instance, rung } } };
    }
    default:
      return undefined;
  }
}

/** The actor of what the SLA timers decide: the platform's rules (`system`). */
export const SLA_TIMER = { id: 'system:intake.sla-clocks', roles: ['system'] } as const;

/**
 * Timers one transaction claims and fires: set-based in `prepare` (their cases in one read and one append, their
 * notices in one lookup and one record), so a claim costs about the same round trips for 2 timers as for 25; the
 * tenant's policies read once for them. Measured with `npm run bench:cases` (docs/benchmarks.md).
 */
const TIMERS_PER_TRANSACTION = 25;

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

  /**
   * Fires the claim's timers set-based: the case timers (warnings, breaches, rungs) decided on their cases read in one
   * query, their events appended in one statement and their timer writes in two (`CaseCommandRunner.runMany`), each
   * decision in its timer's span; the notices looked up in one query, their webhooks called side by side, recorded in
   * one statement (`SlaNotifications.deliverMany`). A notice whose webhook failed is retried with backoff; when this
   * fails as a whole (a case changed meanwhile), every timer goes through {@link fire}. Worth it from two timers on.
   */
  protected override async prepare(
    timers: readonly Timer[],
    tx: PoolClient,
    batch: TimerBatch,
  ): Promise<PreparedTimers | void> {
    if (timers.length < 2) return;
    const policies = new Map<string, CasePolicies>();
    for (const timer of timers) {
      if (!policies.has(timer.tenant)) policies.set(timer.tenant, await this.policiesOf(timer, tx, batch));
    }
    const policiesOf = (timer: Timer) => policies.get(timer.tenant) as CasePolicies;
    const fired = new Set<string>();
    const onCases = timers.flatMap((timer) => {
      const command = caseCommandOf(timer);
      return command ? [{ timer, ...command }] : [];
    });
    if (onCases.length > 0) {
      const items = onCases.map(({ timer, caseId, request }) => ({
        origin: timerOrigin(timer, SLA_TIMER),
        caseId,
        request,
        policies: policiesOf(timer),
      }));
      const outcomes = await this.runner.runMany(tx, items, (i, work) => inTimerSpan(onCases[i]?.timer as Timer, work));
      for (const [i, outcome] of outcomes.entries()) {
        const { timer, caseId, request } = onCases[i] as (typeof onCases)[number];
        this.metrics.timerFired(timer.kind, this.lateSeconds(timer));
        this.told(timer, caseId, request, outcome);
        fired.add(timer.id);
      }
    }
    const notices = timers.filter((timer) => timer.kind === slaTimerKinds.notification);
    const failed = new Map<string, unknown>();
    if (notices.length > 0) {
      const delivered = await this.notifications.deliverMany(notices, tx, this.logger, (t) => policiesOf(t).sla);
      for (const timer of notices) {
        const outcome = delivered.get(timer.id);
        this.metrics.timerFired(timer.kind, this.lateSeconds(timer));
        if (outcome === 'delivered') fired.add(timer.id);
        else failed.set(timer.id, outcome);
      }
    }
    return { fired, failed };
  }

  private lateSeconds(timer: Timer): number {
    return Math.max(0, this.clock().getTime() - timer.dueAt.getTime()) / 1000;
  }

  protected async fire(timer: Timer, tx: PoolClient, batch: TimerBatch): Promise<void> {
    this.metrics.timerFired(timer.kind, this.lateSeconds(timer));
    const command = caseCommandOf(timer);
    if (command) return this.decide(timer, tx, batch, command.caseId, command.request);
    if (timer.kind === slaTimerKinds.notification) {
      const { sla } = await this.policiesOf(timer, tx, batch);
      return this.notifications.deliver(timer, tx, this.logger, sla);
    }
    this.logger.warn({ timerId: timer.id, kind: timer.kind }, 'timer of an unknown kind dropped');
  }

  /** Runs the timer's command; the decider's refusal (nothing to do any more) ends the timer. */
  private async decide(
    timer: Timer,
    tx: PoolClient,
    batch: TimerBatch,
    caseId: string,
    command: CommandRequest<CaseCommand>,
  ) {
    let outcome: CaseRun | DomainError;
    try {
      const policies = await this.policiesOf(timer, tx, batch);
      outcome = await this.runner.run(tx, timerOrigin(timer, SLA_TIMER), caseId, command, { policies });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      outcome = error;
    }
    this.told(timer, caseId, command, outcome);
  }

  /** Logs what a case timer did: the events it appended, or why there was nothing to do. */
  private told(timer: Timer, caseId: string, command: CommandRequest<CaseCommand>, outcome: CaseRun | DomainError) {
    const about = { tenant: timer.tenant, caseId, timerId: timer.id };
    if (outcome instanceof DomainError) {
      this.logger.info({ ...about, code: outcome.code }, `SLA timer: nothing to do (${command.type})`);
      return;
    }
    const appended = outcome.appended.map((e) => e.type);
    if (appended.length > 0) this.logger.info({ ...about, appended }, `SLA timer: ${command.type}`);
  }

  /** The tenant's policies, read once for the timers of a transaction (a change committed since applies to the next). */
  private policiesOf(timer: Timer, tx: PoolClient, batch: TimerBatch): Promise<CasePolicies> {
    return batch.once(`policies:${timer.tenant}`, () => this.runner.policiesFor(timer.tenant, tx));
  }
}
