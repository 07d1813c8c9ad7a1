import type { Command, CommandContext, Decider, DomainEvent } from '@aftersales/domain';
import { deterministicUuid, handleCommand, type HandleOptions, type HandleResult } from './decider';
import { randomUUID } from 'node:crypto';
import type { PostgresEventStore } from './event-store';
import type { Actor, EventMetadata } from './types';

/**
 * Where a command comes from: who asks, for which tenant, in which conversation, and what makes a repetition of it
 * harmless. Derived once at the edge that received the request — an HTTP request (the bearer token's principal,
 * `X-Correlation-Id`, `Idempotency-Key`), a consumed event (its tenant header, correlation id and id), a durable
 * timer — and turned into the command's {@link CommandContext} and the events' {@link EventMetadata} in one place,
 * {@link Commands.handle}, instead of by every handler.
 */
export interface CommandOrigin {
  readonly tenant: string;
  readonly actor: Actor & { readonly roles: readonly string[] };
  /** The conversation the command belongs to (kept across services on every event it causes). */
  readonly correlationId: string;
  /** The id of the event that caused the command, when an event did. */
  readonly causationId?: string;
  /**
   * What makes a repeated request (a retried HTTP call, a redelivered event, a timer fired again) append nothing
   * new: `<tenant>:<Idempotency-Key>` or the causing event's id. {@link Commands.handle} scopes it by stream and
   * command type, so one request may run several commands.
   */
  readonly idempotencyKey?: string;
  /** Why the change was made, when a person gave a reason (recorded with the events). */
  readonly reason?: string;
}

/** The command context a decider sees: tenant, actor, and the time it decides at. */
export function commandContextOf(origin: CommandOrigin, now: Date): CommandContext {
  return { tenant: origin.tenant, actor: { id: origin.actor.id, roles: [...origin.actor.roles] }, now };
}

/** The metadata stored with every event the command appends (the trace context is added by the append). */
export function eventMetadataOf(origin: CommandOrigin): EventMetadata {
  return {
    tenant: origin.tenant,
    actor: { id: origin.actor.id, roles: [...origin.actor.roles] },
    correlationId: origin.correlationId,
    ...(origin.causationId ? { causationId: origin.causationId } : {}),
    ...(origin.reason ? { reason: origin.reason } : {}),
  };
}

/** The origin of commands a system component issues on its own behalf (`system:<component>`), for an event it handles. */
export function systemOrigin(
  component: string,
  cause: { readonly tenant: string; readonly correlationId: string; readonly causationId?: string },
  idempotencyKey?: string,
): CommandOrigin {
  return {
    tenant: cause.tenant,
    actor: { id: `system:${component}`, roles: ['system'] },
    correlationId: cause.correlationId,
    ...(cause.causationId ? { causationId: cause.causationId } : {}),
    ...(idempotencyKey ? { idempotencyKey } : {}),
  };
}

/**
 * The id of an aggregate a request creates when the client chose none: derived from the request's idempotency key, so
 * a retried request finds the aggregate its first attempt created; random without a key.
 */
export function newAggregateId(origin: CommandOrigin, kind: string): string {
  return origin.idempotencyKey ? deterministicUuid(`${kind}|${origin.idempotencyKey}`) : randomUUID();
}

/**
 * The origin of a command a durable timer fires: the timer's tenant, the correlation and causation it was scheduled
 * with, `actor` as the one deciding, and the timer's id and due time as the idempotency key (a timer fired again after
 * a crash appends nothing new; a rescheduled one is a new occurrence).
 */
export function timerOrigin(
  timer: {
    readonly id: string;
    readonly tenant: string;
    readonly dueAt: Date;
    readonly metadata?: Record<string, unknown>;
  },
  actor: CommandOrigin['actor'],
): CommandOrigin {
  const metadata = timer.metadata ?? {};
  return {
    tenant: timer.tenant,
    actor,
    correlationId: typeof metadata.correlationId === 'string' ? metadata.correlationId : randomUUID(),
    ...(typeof metadata.causationId === 'string' ? { causationId: metadata.causationId } : {}),
    idempotencyKey: `${timer.id}@${timer.dueAt.toISOString()}`,
  };
}

/** A command as its sender writes it: the context is added from the origin. */
export type CommandRequest<C extends Command> = C extends Command
  ? { readonly type: C['type']; readonly data: C['data'] }
  : never;

/** Options of {@link Commands.handle}: the transaction and session to run in, and how the stream is expected. */
export interface CommandOptions extends Pick<HandleOptions, 'tx' | 'session' | 'expectNewStream' | 'maxAttempts'> {
  /** Decide at this time instead of the clock's (e.g. the moment a key was destroyed, recorded by the vault). */
  readonly now?: Date;
  /** Replaces the scoped key derived from the origin (e.g. `absorb:<event id>` for a follow-up command). */
  readonly idempotencyKey?: string;
}

/**
 * The decider runtime as application code uses it: a command from an {@link CommandOrigin} is decided at the
 * service's clock, appended with the origin's metadata, and made idempotent by the origin's key — the one place
 * where context, metadata and idempotency are derived.
 *
 * @example
 * ```ts
 * const result = await commands.handle(caseDecider, caseStream(caseId), origin, { type: 'OpenCase', data });
 * ```
 */
export class Commands {
  constructor(
    readonly store: PostgresEventStore,
    private readonly clock: () => Date,
  ) {}

  /** The time commands are decided at now (the service's clock, shifted in drills). */
  now(): Date {
    return this.clock();
  }

  handle<State, C extends Command, E extends DomainEvent>(
    decider: Decider<State, C, E>,
    streamId: string,
    origin: CommandOrigin,
    request: CommandRequest<C>,
    options: CommandOptions = {},
  ): Promise<HandleResult<State, E>> {
    const { now, idempotencyKey, ...handleOptions } = options;
    const command = { type: request.type, data: request.data, context: commandContextOf(origin, now ?? this.clock()) };
    const key = idempotencyKey ?? (origin.idempotencyKey && `${origin.idempotencyKey}|${streamId}|${request.type}`);
    return handleCommand(this.store, streamId, decider, command as C, {
      ...handleOptions,
      metadata: eventMetadataOf(origin),
      ...(key ? { idempotencyKey: key } : {}),
    });
  }
}
