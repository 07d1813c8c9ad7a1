import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { addBusinessTime, SlaClock } from '@aftersales/business-time';
import { DomainError } from '@aftersales/domain';
import { Commands, StreamSession, TimerWrites, type CommandOrigin, type CommandRequest } from '@aftersales/eventstore';
import type { CaseCommand } from '../domain/case.commands';
import { caseDecider, createCaseDecider } from '../domain/case.decider';
import type { CaseEvent, SlaClockEvent } from '../domain/case.events';
import type { CasePolicy } from '../domain/case-policy';
import type { CaseState, OpenedCaseState } from '../domain/case.state';
import type { CaseSlaClock } from '../domain/sla-clocks';
import { budgetMs, slaLadderRungs, type SlaClockId, type SlaPolicy } from '../domain/sla-policy';
import { CasePoliciesService, casePolicyStream } from './case-policies.service';
import {
  caseStream,
  slaClockTimerId,
  slaNotificationKey,
  slaRungTimerId,
  slaTimerKinds,
  type SlaNotifiedRung,
} from './case-streams';
import { SlaPoliciesService, slaPolicyStream } from './sla-policies.service';

/** The payload of a clock's warning or breach timer, and of a rung's deadline (with `rung`). */
export interface SlaClockTimerPayload {
  readonly caseId: string;
  readonly clockId: SlaClockId;
  readonly instance: number;
}

export interface SlaRungTimerPayload extends SlaClockTimerPayload {
  readonly rung: (typeof slaLadderRungs)[number];
}

/** The payload of an SLA notification's delivery timer: what the notice says (ids only, no personal data). */
export interface SlaNotificationPayload extends SlaClockTimerPayload {
  readonly key: string;
  readonly rung: SlaNotifiedRung;
  readonly reason: 'sla_warning' | 'sla_breach';
  /** When the clock is (or was) due. */
  readonly dueAt: string | null;
  readonly queue: string | null;
  readonly team: string | null;
  readonly agentId: string | null;
  /** Failed delivery attempts so far (the timer backoff counts them). */
  readonly attempts?: number;
}

/** The tenant's policies a case command is decided with. */
export interface CasePolicies {
  readonly casePolicy: CasePolicy;
  readonly sla: SlaPolicy;
}

/** What a case command did. */
export interface CaseRun {
  readonly state: CaseState;
  /** The events it appended, with their ids (empty for a no-op or a repeated request). */
  readonly appended: ReadonlyArray<CaseEvent & { readonly id: string }>;
  readonly duplicate: boolean;
  /** The tenant's SLA policy the command was decided with. */
  readonly sla: SlaPolicy;
}

const isSlaEvent = (event: CaseEvent): event is SlaClockEvent => event.type.startsWith('SlaClock');

/**
 * Runs case commands inside a caller's transaction under the tenant's case and SLA policies, and applies the effects of
 * what they appended in that same transaction: the ONE place that turns a case's events into durable timers. A clock
 * that starts or resumes gets its warning and breach timers (rescheduled, never duplicated: ids per case, clock and
 * start); a paused clock's are cancelled, a met clock's too with its rungs'; a breach schedules the deadline of every
 * rung of the tenant's ladder; a warning, and a rung reached, schedule a notification. HTTP commands, the timers and
 * the complaint process all go through {@link CaseCommandRunner.run}: effects commit exactly when the events do.
 */
@Injectable()
export class CaseCommandRunner {
  constructor(
    // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
    @Inject(Commands) private readonly commands: Commands,
    @Inject(CasePoliciesService) private readonly casePolicies: CasePoliciesService,
    @Inject(SlaPoliciesService) private readonly slaPolicies: SlaPoliciesService,
  ) {}

  /**
   * Decides `request` on the case with the tenant's policies, appends in `tx`, applies the effects in `tx`.
   *
   * @throws `CaseNotFound` for an unknown or another tenant's case; any `DomainError` of the decider.
   */
  async run(
    tx: PoolClient,
    origin: CommandOrigin,
    caseId: string,
    request: CommandRequest<CaseCommand>,
    /**
     * `now`: decide at this instant; `idempotencyKey`: replaces the key derived from the origin; `policies`: the
     * tenant's policies as {@link CaseCommandRunner.policiesFor} read them in this transaction (the timers read them
     * once for the timers of a tenant they fire together); `expectNewStream`: the command usually creates the case
     * (see `HandleOptions.expectNewStream`: decided without reading the stream, read only when it exists after all).
     */
    options: {
      readonly now?: Date;
      readonly idempotencyKey?: string;
      readonly policies?: CasePolicies;
      readonly expectNewStream?: boolean;
    } = {},
  ): Promise<CaseRun> {
    const { policies, ...handleOptions } = options;
    const { casePolicy, sla } = policies ?? (await this.policiesFor(origin.tenant, tx));
    const decider = createCaseDecider(casePolicy, sla);
    const result = await this.commands.handle(decider, caseStream(caseId), origin, request, { tx, ...handleOptions });
    const appended = result.newEvents.map((event, i) => ({ ...event, id: result.eventIds[i] as string }));
    const run: CaseRun = { state: result.state, appended, duplicate: result.duplicate, sla };
    if (!result.duplicate && result.state.status !== 'none') {
      const timers = new TimerWrites();
      new CaseEffects(timers, origin, result.state, sla, this.commands.now()).collect(request, appended);
      await timers.flush(tx);
    }
    return run;
  }

  /**
   * Decides `request` on the case in a deferring `session` (its events appended by the session's flush) and collects
   * its durable timers into `timers` (written by their flush): writes nothing itself, so the caller can decide many
   * commands and write them all at once (the SLA timers of a claim, the cases opened by concurrent requests).
   *
   * @throws `CaseNotFound` for an unknown or another tenant's case; any `DomainError` of the decider (nothing was
   *   deferred for it).
   */
  async decide(
    tx: PoolClient,
    origin: CommandOrigin,
    caseId: string,
    request: CommandRequest<CaseCommand>,
    options: {
      readonly policies: CasePolicies;
      readonly session: StreamSession;
      readonly timers: TimerWrites;
      readonly now?: Date;
      readonly idempotencyKey?: string;
    },
  ): Promise<CaseRun> {
    const { policies, session, timers, ...handleOptions } = options;
    const { casePolicy, sla } = policies;
    const decider = createCaseDecider(casePolicy, sla);
    const result = await this.commands.handle(decider, caseStream(caseId), origin, request, {
      tx,
      session,
      ...handleOptions,
    });
    const appended = result.newEvents.map((event, n) => ({ ...event, id: result.eventIds[n] as string }));
    if (!result.duplicate && result.state.status !== 'none') {
      new CaseEffects(timers, origin, result.state, sla, this.commands.now()).collect(request, appended);
    }
    return { state: result.state, appended, duplicate: result.duplicate, sla };
  }

  /**
   * Several commands, each on its case, in one transaction and set-based (the SLA timers of one claim): every case
   * read in one query, every case's new events appended in one statement (`es_append_many`), every timer write in at
   * most two. Each command is decided on its case as the commands before it in the list left it. A command the decider
   * refuses (`DomainError`) is answered with its error and leaves nothing behind; anything else fails the whole call,
   * and the caller's transaction (or savepoint) undoes what it wrote.
   *
   * @throws ConcurrencyError when a case changed after it was read (a concurrent command): nothing is appended, and
   *   only a new transaction (or the commands one by one through {@link run}) can decide them again.
   */
  async runMany(
    tx: PoolClient,
    items: ReadonlyArray<{
      readonly origin: CommandOrigin;
      readonly caseId: string;
      readonly request: CommandRequest<CaseCommand>;
      readonly policies: CasePolicies;
    }>,
    /** Runs each command's work (its decision and the effects it plans): in the span of the timer that asked for it. */
    around: <T>(index: number, work: () => Promise<T>) => Promise<T> = (_, work) => work(),
  ): Promise<Array<CaseRun | DomainError>> {
    const session = new StreamSession({ deferAppends: true });
    await this.preload(
      items.map((item) => item.caseId),
      session,
      tx,
    );
    const timers = new TimerWrites();
    const outcomes: Array<CaseRun | DomainError> = [];
    for (const [i, { origin, caseId, request, policies }] of items.entries()) {
      const outcome = await around(i, async () => {
        try {
          return await this.decide(tx, origin, caseId, request, { policies, session, timers });
        } catch (error) {
          if (error instanceof DomainError) return error;
          throw error;
        }
      });
      outcomes.push(outcome);
    }
    await this.write(tx, session, timers);
    return outcomes;
  }

  /** Reads the cases into `session` in one query (before deciding commands on them with {@link decide}). */
  async preload(caseIds: readonly string[], session: StreamSession, tx: PoolClient): Promise<void> {
    await session.preload(this.commands.store, caseIds.map(caseStream), caseDecider, tx);
  }

  /** Appends what {@link decide} deferred in `session` and writes the timers it collected, in `tx`. */
  async write(tx: PoolClient, session: StreamSession, timers: TimerWrites): Promise<void> {
    await session.flush(this.commands.store, tx);
    await timers.flush(tx);
  }

  /** The tenant's case and SLA policies, read in `tx` (both streams in one round trip). */
  async policiesFor(tenant: string, tx: PoolClient): Promise<CasePolicies> {
    const [caseStreamId, slaStreamId] = [casePolicyStream(tenant), slaPolicyStream(tenant)];
    const streams = await this.commands.store.readStreams([caseStreamId, slaStreamId], tx);
    const casePolicy = this.casePolicies.settingsFrom(streams.get(caseStreamId) ?? []).policy;
    const sla = this.slaPolicies.settingsFrom(streams.get(slaStreamId) ?? []).policy;
    return { casePolicy, sla };
  }
}

/**
 * The durable timers of one command's events: collected into the caller's {@link TimerWrites} while the events are
 * read, then written by the caller in at most two statements (a case opened schedules four timers; one round trip
 * instead of four; the timers of a whole claim of SLA timers in the same two).
 */
class CaseEffects {
  private readonly metadata: Record<string, unknown>;

  constructor(
    /** Where the timer writes go: the caller flushes them in its transaction. */
    private readonly timers: TimerWrites,
    private readonly origin: CommandOrigin,
    private readonly state: OpenedCaseState,
    private readonly sla: SlaPolicy,
    /** The service's clock now: notifications are due at once. */
    private readonly now: Date,
  ) {
    this.metadata = { correlationId: origin.correlationId, actor: origin.actor };
  }

  private get caseId(): string {
    return this.state.case.caseId;
  }

  collect(request: CommandRequest<CaseCommand>, appended: ReadonlyArray<CaseEvent & { readonly id: string }>): void {
    const clocks = appended.map((event): CaseEvent => event).filter(isSlaEvent);
    // A warning changes neither the clock's due time nor its status: a clock only warned keeps its timers as they are
    // (rescheduling its breach timer to the same instant was a round trip per warning timer fired).
    const changed = clocks.filter((e) => e.type !== 'SlaClockWarned').map((e) => e.data.clockId);
    for (const clockId of new Set(changed)) this.reconcile(clockId, clocks);
    for (const [i, event] of clocks.entries()) {
      const instance = this.instanceAt(event.data.clockId, clocks.slice(i + 1));
      if (event.type === 'SlaClockBreached') this.scheduleLadder(event.data.clockId, instance, event.data.dueAt);
      if (event.type === 'SlaClockWarned') {
        this.notify(event.data.clockId, instance, 'agent', 'sla_warning', event.data.dueAt);
      }
    }
    // A rung's deadline passed with the clock still breached (the decider accepted it): the rung is told, whether the
    // case went up now or was there already.
    if (request.type === 'EscalateSlaBreach') {
      const { clockId, instance, rung } = request.data;
      const breachedAt = this.state.case.slaClocks[clockId]?.clock.breachedAt ?? null;
      this.notify(clockId, instance, rung, 'sla_breach', breachedAt);
    }
  }

  /** The start of `clockId` an event refers to: the clock's latest, less the restarts that follow the event. */
  private instanceAt(clockId: SlaClockId, later: readonly SlaClockEvent[]): number {
    const latest = this.state.case.slaClocks[clockId]?.instance ?? 0;
    return latest - later.filter((e) => e.type === 'SlaClockStarted' && e.data.clockId === clockId).length;
  }

  /** The timers of a clock the command changed follow its state now; a start it replaced loses its own. */
  private reconcile(clockId: SlaClockId, events: readonly SlaClockEvent[]): void {
    const current = this.state.case.slaClocks[clockId];
    if (!current) return;
    const restarts = events.filter((e) => e.type === 'SlaClockStarted' && e.data.clockId === clockId).length;
    const replaced = current.instance - restarts;
    if (restarts > 0 && replaced >= 1) this.cancelAll(clockId, replaced);
    const { clock, instance } = current;
    if (clock.status === 'met') return this.cancelAll(clockId, instance);
    if (clock.status === 'paused') return this.cancelClock(clockId, instance);
    this.scheduleClock(current);
  }

  private scheduleClock({ clockId, instance, clock, dueAt }: CaseSlaClock): void {
    const payload: SlaClockTimerPayload = { caseId: this.caseId, clockId, instance };
    if (clock.breachedAt === null && dueAt !== null) {
      this.schedule(slaClockTimerId(this.caseId, clockId, instance, 'breach'), slaTimerKinds.breach, dueAt, payload);
    }
    const warnAt = SlaClock.warnAt(clock, this.sla.calendar);
    if (clock.warnedAt === null && warnAt !== null) {
      const id = slaClockTimerId(this.caseId, clockId, instance, 'warning');
      this.schedule(id, slaTimerKinds.warning, warnAt.toISOString(), payload);
    }
  }

  private cancelClock(clockId: SlaClockId, instance: number): void {
    this.timers.cancel(slaClockTimerId(this.caseId, clockId, instance, 'warning'));
    this.timers.cancel(slaClockTimerId(this.caseId, clockId, instance, 'breach'));
  }

  private cancelAll(clockId: SlaClockId, instance: number): void {
    this.cancelClock(clockId, instance);
    for (const rung of slaLadderRungs) this.timers.cancel(slaRungTimerId(this.caseId, clockId, instance, rung));
  }

  /** Each rung of the tenant's ladder falls due its business time after the breach. */
  private scheduleLadder(clockId: SlaClockId, instance: number, breachedAt: string): void {
    const { calendar, escalation } = this.sla;
    for (const { rung, afterBreach } of escalation.ladder) {
      const dueAt = addBusinessTime(calendar, Date.parse(breachedAt), budgetMs(afterBreach, calendar));
      const payload: SlaRungTimerPayload = { caseId: this.caseId, clockId, instance, rung };
      this.schedule(
        slaRungTimerId(this.caseId, clockId, instance, rung),
        slaTimerKinds.rung,
        dueAt.toISOString(),
        payload,
      );
    }
  }

  /** A notification to deliver now, once per case, clock start and rung (its key is its timer's id). */
  private notify(
    clockId: SlaClockId,
    instance: number,
    rung: SlaNotifiedRung,
    reason: SlaNotificationPayload['reason'],
    dueAt: string | null,
  ): void {
    const key = slaNotificationKey(this.caseId, clockId, instance, rung);
    const assignment = this.state.case.assignment;
    const payload: SlaNotificationPayload = {
      key,
      caseId: this.caseId,
      clockId,
      instance,
      rung,
      reason,
      dueAt,
      queue: assignment?.queue ?? null,
      team: assignment?.team ?? null,
      agentId: assignment?.agentId ?? null,
    };
    this.schedule(key, slaTimerKinds.notification, this.now.toISOString(), payload);
  }

  private schedule(id: string, kind: string, dueAt: string, payload: object): void {
    this.timers.schedule({
      id,
      tenant: this.origin.tenant,
      kind,
      dueAt: new Date(dueAt),
      payload,
      metadata: this.metadata,
    });
  }
}
