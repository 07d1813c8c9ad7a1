import type { DomainError, DomainErrorKind } from '@aftersales/domain';

interface Decider<S, C, E> {
  decide(command: C, state: S): E[];
  evolve(state: S, event: E): S;
  initialState(): S;
}

/**
 * Specifications as `given(history).when(command).then(events)`: the history is folded with `evolve`, the command
 * decided once, and the outcome compared. No mocks: the deciders are pure.
 */
export function specOf<S, C, E>(decider: Decider<S, C, E>) {
  return (history: readonly E[]) => ({
    when: (command: C) => {
      const decide = () => decider.decide(command, history.reduce(decider.evolve, decider.initialState()));
      return {
        then: (expected: E[]) => expect(decide()).toEqual(expected),
        thenMatches: (expected: ReadonlyArray<Record<string, unknown>>): E[] => {
          const events = decide();
          expect(events).toHaveLength(expected.length);
          expect(events).toMatchObject(expected);
          return events;
        },
        thenNothing: () => expect(decide()).toEqual([]),
        thenThrows: (
          errorClass: abstract new (...args: never[]) => DomainError,
          expected: { kind: DomainErrorKind; code?: string },
        ) => {
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

/** Runs commands through the decider one after another and returns every event, as the handler would have stored. */
export function historyOf<S, C, E>(decider: Decider<S, C, E>, commands: readonly C[], history: readonly E[] = []): E[] {
  let state = history.reduce(decider.evolve, decider.initialState());
  const events = [...history];
  for (const command of commands) {
    const decided = decider.decide(command, state);
    state = decided.reduce(decider.evolve, state);
    events.push(...decided);
  }
  return events;
}

/** A clock the test moves by hand; deciders never read one, the tests put `now()` into each command's context. */
export class TestClock {
  private ms: number;

  constructor(start = '2026-11-25T08:00:00.000Z') {
    this.ms = Date.parse(start);
  }

  now(): Date {
    return new Date(this.ms);
  }

  advance(minutes: number): this {
    this.ms += minutes * 60_000;
    return this;
  }
}
