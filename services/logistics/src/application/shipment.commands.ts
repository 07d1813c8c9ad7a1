import { Inject, Injectable } from '@nestjs/common';
import { Commands, fold, type CommandOrigin } from '@aftersales/eventstore';
import { shipmentDecider, type ShipmentOpened, type ShipmentState } from '../domain/shipment.decider';
import { ShipmentNotFound } from '../domain/shipment.errors';
import { CASE_REGISTER, type CaseRegister } from './case-register.port';

export const shipmentStream = (id: string) => `shipment-${id}`;

/** Application service of the Shipment aggregate: commands in, events appended, state out. */
@Injectable()
export class ShipmentCommands {
  constructor(
    // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
    @Inject(Commands) private readonly commands: Commands,
    @Inject(CASE_REGISTER) private readonly cases: CaseRegister,
  ) {}

  async open(
    origin: CommandOrigin,
    request: { shipmentId: string; caseId: string; note: string },
  ): Promise<ShipmentOpened['data']> {
    const data = { ...request, case: await this.cases.find(origin.tenant, request.caseId) };
    const stream = shipmentStream(request.shipmentId);
    const result = await this.commands.handle(shipmentDecider, stream, origin, { type: 'OpenShipment', data });
    return visible(result.state, origin.tenant, request.shipmentId);
  }

  /** A shipment of the tenant; another tenant's is indistinguishable from none. */
  async get(tenant: string, id: string): Promise<ShipmentOpened['data']> {
    return visible(fold(shipmentDecider, await this.commands.store.readStream(shipmentStream(id))), tenant, id);
  }
}

function visible(state: ShipmentState, tenant: string, id: string): ShipmentOpened['data'] {
  if (state.status !== 'open' || state.opened.tenant !== tenant) throw new ShipmentNotFound(id);
  return state.opened;
}
