import { assertNever, type Command, type Decider } from '@aftersales/domain';
import type { CaseEvent, CaseOpened } from './case.events';
import { CaseAlreadyOpened, PurchaseInTheFuture } from './case.errors';

/** Opens an after-sales case (ticket) received on a customer channel. */
export type OpenCase = Command<'OpenCase', Omit<CaseOpened['data'], 'tenant' | 'openedAt' | 'openedBy'>>;

export type CaseCommand = OpenCase;

export type CaseState =
  | { readonly status: 'none' }
  | {
      readonly status: 'open';
      readonly caseId: string;
      readonly tenant: string;
      readonly opened: CaseOpened['data'];
    };

export const initialState = (): CaseState => ({ status: 'none' });

export function decide(command: CaseCommand, state: CaseState): CaseEvent[] {
  switch (command.type) {
    case 'OpenCase': {
      if (state.status !== 'none') throw new CaseAlreadyOpened(command.data.caseId);
      const { purchasedAt } = command.data;
      if (purchasedAt && Date.parse(purchasedAt) > command.context.now.getTime())
        throw new PurchaseInTheFuture(purchasedAt);
      return [
        {
          type: 'CaseOpened',
          data: {
            ...command.data,
            tenant: command.context.tenant,
            openedAt: command.context.now.toISOString(),
            openedBy: command.context.actor.id,
          },
        },
      ];
    }
    default:
      return assertNever(command.type);
  }
}

export function evolve(_state: CaseState, event: CaseEvent): CaseState {
  switch (event.type) {
    case 'CaseOpened':
      return { status: 'open', caseId: event.data.caseId, tenant: event.data.tenant, opened: event.data };
    default:
      return assertNever(event.type);
  }
}

/** The Case aggregate as a decider: pure, clock and ids injected through the command. */
export const caseDecider = { decide, evolve, initialState } satisfies Decider<CaseState, CaseCommand, CaseEvent>;
