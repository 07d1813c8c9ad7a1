import { assertNever, type CommandContext, type Decider } from '@aftersales/domain';
import { ComplaintAlreadyRegistered } from './complaint.errors';
import type { ComplaintEvent, ComplaintFlags, ComplaintRegistered } from './complaint.events';

/**
 * Registers a customer complaint. Personal data arrives already sealed (`customerData`): the domain never
 * sees plaintext, and the clock, ids, tenant and actor come in the context.
 */
export type RegisterComplaint = {
  readonly type: 'RegisterComplaint';
  readonly context: CommandContext;
  readonly data: Omit<ComplaintRegistered['data'], 'tenant' | 'registeredAt' | 'registeredBy' | 'flags'> & {
    /** Flags not given are false. */
    readonly flags?: Partial<ComplaintFlags>;
  };
};

export type ComplaintCommand = RegisterComplaint;

export type ComplaintState =
  | { readonly status: 'none' }
  | {
      readonly status: 'registered';
      readonly complaintId: string;
      readonly tenant: string;
      readonly registered: ComplaintRegistered['data'];
    };

export const initialState = (): ComplaintState => ({ status: 'none' });

export function decide(command: ComplaintCommand, state: ComplaintState): ComplaintEvent[] {
  switch (command.type) {
    case 'RegisterComplaint': {
      const { flags, ...data } = command.data;
      if (state.status !== 'none') throw new ComplaintAlreadyRegistered(data.complaintId);
      // Every complaint is taken on (seed 000 §3.5.1: a customer who complains starts the complaint process at once),
      // with or without the product SKU or region incidents cluster on: what cannot be clustered stays a single
      // complaint there (docs/adr/0011-every-complaint-is-taken-on.md).
      return [
        {
          type: 'ComplaintRegistered',
          data: {
            ...data,
            tenant: command.context.tenant,
            flags: {
              personalInjury: flags?.personalInjury ?? false,
              propertyLoss: flags?.propertyLoss ?? false,
              mediaExposure: flags?.mediaExposure ?? false,
              legalThreat: flags?.legalThreat ?? false,
              ...(flags?.groupEvent ? { groupEvent: true } : {}),
            },
            registeredAt: command.context.now.toISOString(),
            registeredBy: command.context.actor.id,
          },
        },
      ];
    }
    default:
      return assertNever(command.type);
  }
}

export function evolve(_state: ComplaintState, event: ComplaintEvent): ComplaintState {
  switch (event.type) {
    case 'ComplaintRegistered':
      return {
        status: 'registered',
        complaintId: event.data.complaintId,
        tenant: event.data.tenant,
        registered: event.data,
      };
    default:
      return assertNever(event.type);
  }
}

/** The Complaint aggregate as a decider: pure, clock, ids and sealed personal data injected through the command. */
export const complaintDecider = { decide, evolve, initialState } satisfies Decider<
  ComplaintState,
  ComplaintCommand,
  ComplaintEvent
>;
