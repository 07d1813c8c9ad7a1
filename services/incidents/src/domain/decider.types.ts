/**
 * The shape every aggregate of this service takes: pure functions, no clock, no ids, no I/O.
 *
 * A command handler loads the stream, folds `evolve` from `initialState()`, calls `decide`, and appends the
 * returned events with the expected version.
 *
 * @example
 * ```ts
 * const state = history.reduce(incidentDecider.evolve, incidentDecider.initialState());
 * const events = incidentDecider.decide(command, state);
 * ```
 */
export interface Decider<State, Command, Event> {
  /** Turns a command into the events it causes, or throws a `DomainError` naming the broken rule. */
  readonly decide: (command: Command, state: State) => Event[];
  /** Applies one past event; never throws and never decides anything. */
  readonly evolve: (state: State, event: Event) => State;
  /** The state of a stream that has no events yet. */
  readonly initialState: () => State;
}
