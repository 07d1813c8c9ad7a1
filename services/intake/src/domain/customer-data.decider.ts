import { assertNever, type Command, type Decider } from '@aftersales/domain';
import type { CustomerDataErased, CustomerDataEvent } from './customer-data.events';

/**
 * Records that a customer's personal data was erased (its key destroyed, crypto-shredding). The destruction
 * itself happens in the privacy vault, in the same transaction.
 */
export type EraseCustomerData = Command<'EraseCustomerData', { readonly customerId: string; readonly reason: string }>;

export type CustomerDataCommand = EraseCustomerData;

export type CustomerDataState =
  { readonly status: 'held' } | { readonly status: 'erased'; readonly erasure: CustomerDataErased['data'] };

export const initialState = (): CustomerDataState => ({ status: 'held' });

export function decide(command: CustomerDataCommand, state: CustomerDataState): CustomerDataEvent[] {
  switch (command.type) {
    case 'EraseCustomerData':
      // Erasure is idempotent: a repeated request records nothing new and keeps the first erasure.
      if (state.status === 'erased') return [];
      return [
        {
          type: 'CustomerDataErased',
          data: {
            tenant: command.context.tenant,
            customerId: command.data.customerId,
            reason: command.data.reason,
            erasedAt: command.context.now.toISOString(),
            erasedBy: command.context.actor.id,
          },
        },
      ];
    default:
      return assertNever(command.type);
  }
}

export function evolve(_state: CustomerDataState, event: CustomerDataEvent): CustomerDataState {
  switch (event.type) {
    case 'CustomerDataErased':
      return { status: 'erased', erasure: event.data };
    default:
      return assertNever(event.type);
  }
}

/** The CustomerData aggregate as a decider. */
export const customerDataDecider = { decide, evolve, initialState } satisfies Decider<
  CustomerDataState,
  CustomerDataCommand,
  CustomerDataEvent
>;
