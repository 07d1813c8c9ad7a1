/**
 * Framework-free building blocks for deciders: the decider vocabulary (`Decider`, `Command`, `DomainEvent`,
 * `CommandContext`), typed domain errors and exhaustiveness checks. Domain code may import this package and
 * `@aftersales/contracts` types, nothing else; every decider of every service `satisfies` {@link Decider}.
 */

/** How an adapter should surface a domain error: HTTP status family, or dead letter for consumers. */
export type DomainErrorKind = 'invalid' | 'not_found' | 'conflict' | 'forbidden';

/**
 * A broken business rule with a stable code, e.g. `'CASE.ALREADY_OPEN'`.
 *
 * @example
 * ```ts
 * export class CaseAlreadyOpened extends DomainError {
 *   constructor(caseId: string) { super('CASE.ALREADY_OPENED', 'conflict', `Case ${caseId} is already open`); }
 * }
 * ```
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly kind: DomainErrorKind,
    message: string,
    /** The rule that forbids the operation, shown to API users. */
    readonly rule?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Ends every `switch` over a union so a new member is a compile error. */
export function assertNever(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}

/** Who issued a command and on behalf of which tenant; every command carries it. */
export interface CommandContext {
  readonly tenant: string;
  readonly actor: { readonly id: string; readonly roles: readonly string[] };
  /** The time the command is decided at (injected clock). */
  readonly now: Date;
}

/**
 * A command as deciders receive it: what to do (`type`, `data`) and who asks, for which tenant, when (`context`).
 *
 * @example
 * ```ts
 * export type OpenCase = Command<'OpenCase', { readonly caseId: string; readonly channel: CaseChannel }>;
 * ```
 */
export interface Command<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly context: CommandContext;
  readonly data: Data;
}

/** A fact a decider decided, as it sees it: no id, no metadata, no position (the event store adds those). */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}

/**
 * One aggregate as pure functions: no clock, no ids, no I/O (those arrive in the command's context and data).
 * A command handler loads the stream, folds `evolve` from `initialState()`, calls `decide`, and appends the returned
 * events with the expected version (`handleCommand` in `@aftersales/eventstore` does exactly that).
 *
 * @example
 * ```ts
 * export const caseDecider = { decide, evolve, initialState } satisfies Decider<CaseState, CaseCommand, CaseEvent>;
 * ```
 */
export interface Decider<State, C extends Command = Command, E extends DomainEvent = DomainEvent> {
  /** Turns a command into the events it causes, or throws a {@link DomainError} naming the broken rule. */
  readonly decide: (command: C, state: State) => E[];
  /** Applies one past event; never throws and never decides anything. */
  readonly evolve: (state: State, event: E) => State;
  /** The state of a stream that has no events yet. */
  readonly initialState: () => State;
}
export * from './growing-set';
