/**
 * Framework-free building blocks for deciders: typed domain errors and exhaustiveness checks.
 * Domain code may import this package and `@aftersales/contracts` types, nothing else.
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
