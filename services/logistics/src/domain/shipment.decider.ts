import { assertNever, type Command, type Decider, type DomainEvent } from '@aftersales/domain';
import { ShipmentAlreadyOpened, ShipmentCaseUnknown } from './shipment.errors';

/** What this service knows of an after-sales case (from intake's `CaseOpened`). */
export interface CaseFacts {
  readonly caseId: string;
  readonly customerId: string;
  readonly orderId: string;
}

/** Opens a shipment for a case; `case` is the case as registered here, `null` when unknown. */
export type OpenShipment = Command<
  'OpenShipment',
  { readonly shipmentId: string; readonly caseId: string; readonly note: string; readonly case: CaseFacts | null }
>;
export type ShipmentCommand = OpenShipment;

export type ShipmentOpened = DomainEvent<
  'ShipmentOpened',
  CaseFacts & {
    readonly shipmentId: string;
    readonly tenant: string;
    readonly note: string;
    readonly openedAt: string;
    readonly openedBy: string;
  }
>;
export type ShipmentEvent = ShipmentOpened;

export type ShipmentState =
  { readonly status: 'none' } | { readonly status: 'open'; readonly opened: ShipmentOpened['data'] };

const initialState = (): ShipmentState => ({ status: 'none' });

function decide(command: ShipmentCommand, state: ShipmentState): ShipmentEvent[] {
  switch (command.type) {
    case 'OpenShipment':
      return open(command, state);
    default:
      return assertNever(command.type);
  }
}

function open({ context, data }: OpenShipment, state: ShipmentState): ShipmentEvent[] {
  if (state.status === 'open') {
    // The same request again (same tenant and case) changes nothing; another one under this id is a conflict.
    if (state.opened.tenant === context.tenant && state.opened.caseId === data.caseId) return [];
    throw new ShipmentAlreadyOpened(data.shipmentId);
  }
  if (!data.case) throw new ShipmentCaseUnknown(data.caseId);
  const { caseId, customerId, orderId } = data.case;
  const at = context.now.toISOString();
  const opened = { shipmentId: data.shipmentId, tenant: context.tenant, caseId, customerId, orderId };
  return [{ type: 'ShipmentOpened', data: { ...opened, note: data.note, openedAt: at, openedBy: context.actor.id } }];
}

function evolve(_state: ShipmentState, event: ShipmentEvent): ShipmentState {
  switch (event.type) {
    case 'ShipmentOpened':
      return { status: 'open', opened: event.data };
    default:
      return assertNever(event.type);
  }
}

/** The Shipment aggregate: pure, the clock and the actor come in the command's context. */
export const shipmentDecider = { decide, evolve, initialState } satisfies Decider<
  ShipmentState,
  ShipmentCommand,
  ShipmentEvent
>;
