/**
 * `@aftersales/testing/decider`: given/when/then specifications for the services' deciders.
 *
 * A test-only entry point of its own, apart from the package root (which pulls in testcontainers, pg and kafkajs),
 * so pure domain specs load nothing but this file and `@aftersales/domain`. It uses Jest's global `expect`: domain
 * specs (`*.spec.ts`) and the builders of a domain's `testing/` folder may import it, production code never
 * (eslint.config.js, proven in test/contract/boundaries.spec.ts).
 */
import type { Command, Decider, DomainError, DomainErrorKind, DomainEvent } from '@aftersales/domain';

/**
 * Specifications in the shape `given(history).when(command).then(events)`: the history is folded with `evolve`,
 * the command decided once, and the outcome compared. No mocks: the decider is pure.
 *
 * @example
 * ```ts
 * const given = specOf(incidentDecider);
 * given(history).when(upgrade).thenThrows(InvalidLevelChange, { kind: 'conflict' });
 * ```
 */
export function specOf<S, C extends Command, E extends DomainEvent>(decider: Decider<S, C, E>) {
  return (history: readonly E[]) => ({
    when: (command: C) => {
      const decide = () => decider.decide(command, stateOf(decider, history));
      return {
        /** Exactly these events. */
        then: (expected: E[]) => expect(decide()).toEqual(expected),
        /** As many events as expected, each matching the expected subset; returns them for more checks. */
        thenMatches: (expected: ReadonlyArray<Record<string, unknown>>): E[] => {
          const events = decide();
          expect(events).toHaveLength(expected.length);
          expect(events).toMatchObject(expected);
          return events;
        },
        /** Nothing happens (an idempotent no-op). */
        thenNothing: () => expect(decide()).toEqual([]),
        /** A `DomainError` of this class, with a stable code, the expected kind and a rule; returns it. */
        thenThrows: (
          errorClass: abstract new (...args: never[]) => DomainError,
          expected: { kind: DomainErrorKind; code?: string },
        ): DomainError => {
          let thrown: unknown;
          try {
            decide();
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toBeInstanceOf(errorClass);
          const error = thrown as DomainError;
          expect(error.kind).toBe(expected.kind);
          if (expected.code) expect(error.code).toBe(expected.code);
          expect(error.rule).toEqual(expect.any(String));
          return error;
        },
      };
    },
  });
}

/** Runs commands one after another through the decider and returns every event, as a handler would have stored. */
export function historyOf<S, C extends Command, E extends DomainEvent>(
  decider: Decider<S, C, E>,
  commands: readonly C[],
  history: readonly E[] = [],
): E[] {
  let state = stateOf(decider, history);
  const events = [...history];
  for (const command of commands) {
    const decided = decider.decide(command, state);
    state = decided.reduce(decider.evolve, state);
    events.push(...decided);
  }
  return events;
}

/** Folds a history into its state. */
export function stateOf<S, C extends Command, E extends DomainEvent>(
  decider: Decider<S, C, E>,
  history: readonly E[],
): S {
  return history.reduce(decider.evolve, decider.initialState());
}
