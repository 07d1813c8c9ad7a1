import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { newAggregateId, type CommandOrigin } from '@aftersales/eventstore';
import {
  CurrentPrincipal,
  RequestOrigin,
  Responds,
  Role,
  Roles,
  SchemaPipe,
  type Principal,
} from '@aftersales/platform-http';
import { ShipmentCommands } from '../../application/shipment.commands';
import type { ShipmentOpened } from '../../domain/shipment.decider';
import { OpenShipmentRequest, ShipmentView } from './shipment.schemas';

const ROLES = [Role.Agent, Role.Supervisor, Role.CsManager] as const;

function view({ tenant: _tenant, ...opened }: ShipmentOpened['data']): ShipmentView {
  return { ...opened, status: 'open' };
}

@Controller('shipments')
export class ShipmentsHttpController {
  constructor(@Inject(ShipmentCommands) private readonly shipments: ShipmentCommands) {}

  /** Opens a shipment for a case. `Idempotency-Key` makes a retry return the same one, appending nothing. */
  @Post()
  @HttpCode(201)
  @Roles(...ROLES)
  @Responds(201, ShipmentView, { headers: { Location: '/shipments/{shipmentId}' } })
  async open(
    @RequestOrigin() origin: CommandOrigin,
    @Body(new SchemaPipe(OpenShipmentRequest)) body: OpenShipmentRequest,
    @Res({ passthrough: true }) res: { setHeader(k: string, v: string): void },
  ): Promise<ShipmentView> {
    const shipmentId = body.shipmentId ?? newAggregateId(origin, 'shipment');
    const opened = await this.shipments.open(origin, { ...body, shipmentId });
    res.setHeader('Location', `/shipments/${shipmentId}`);
    return view(opened);
  }

  @Get(':shipmentId')
  @Roles(...ROLES)
  @Responds(200, ShipmentView)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('shipmentId', new ParseUUIDPipe()) id: string,
  ): Promise<ShipmentView> {
    return view(await this.shipments.get(principal.tenant, id));
  }
}
