import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  Body,
  Controller,
  HttpCode,
  Inject,
  Injectable,
  Param,
  Post,
  Put,
  Req,
  UnauthorizedException,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { CommandOrigin } from '@aftersales/eventstore';
import {
  CurrentPrincipal,
  ProblemDetails,
  Public,
  Responds,
  Role,
  Roles,
  SchemaPipe,
  type Principal,
} from '@aftersales/platform-http';
import type { CarrierIntegration } from '../../application/carrier-integrations.port';
import { CARRIER_INTEGRATIONS, type CarrierIntegrations } from '../../application/carrier-integrations.port';
import { ShipmentsService } from '../../application/shipments.service';
import { CarrierIntegrationNotFound } from '../../domain/shipment.errors';
import {
  CarrierEventsRequest,
  CarrierEventsResult,
  CarrierIntegrationRequest,
  CarrierIntegrationView,
  IntegrationId,
} from './shipment.schemas';

/** The header naming the integration, and the one carrying `sha256=<hex HMAC-SHA256 of the raw body>`. */
export const INTEGRATION_HEADER = 'x-carrier-integration';
export const SIGNATURE_HEADER = 'x-carrier-signature';

/** The signature a carrier integration sends with a body. */
export function carrierSignature(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function signatureMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

interface SignedRequest {
  readonly rawBody?: Buffer;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  integration?: CarrierIntegration;
}

/**
 * Authenticates a carrier batch before anything reads its body: the integration named by `X-Carrier-Integration` must
 * exist and `X-Carrier-Signature` must be the HMAC-SHA256 of the raw body under its secret; otherwise 401, nothing
 * stored (compared in constant time).
 */
@Injectable()
export class CarrierSignatureGuard implements CanActivate {
  constructor(@Inject(CARRIER_INTEGRATIONS) private readonly integrations: CarrierIntegrations) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<SignedRequest>();
    const header = (name: string) => {
      const value = req.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const integrationId = header(INTEGRATION_HEADER);
    const integration = integrationId ? await this.integrations.find(integrationId) : null;
    const expected = integration && req.rawBody ? carrierSignature(integration.secret, req.rawBody) : null;
    if (!integration || !expected || !signatureMatches(expected, header(SIGNATURE_HEADER))) {
      throw new UnauthorizedException('A carrier event batch must be signed by a known carrier integration');
    }
    req.integration = integration;
    return true;
  }
}

/**
 * Carrier webhooks: `POST /carrier-events`, a batch of one integration's scans, authenticated by the integration's
 * HMAC signature over the raw body (no bearer token: carriers have none). A missing or wrong signature, or an unknown
 * integration, is a 401 and nothing is stored. Tenant admins manage their integrations' secrets.
 */
@Controller()
export class CarrierEventsHttpController {
  constructor(
    @Inject(ShipmentsService) private readonly shipments: ShipmentsService,
    @Inject(CARRIER_INTEGRATIONS) private readonly integrations: CarrierIntegrations,
  ) {}

  /**
   * Records a batch of scans: each once by its carrier event id, in any order; the answer says per scan whether it was
   * recorded, a duplicate, or of an unknown tracking number or status. Signed with `X-Carrier-Integration` and
   * `X-Carrier-Signature: sha256=<hex HMAC-SHA256 of the body>`.
   */
  @Post('carrier-events')
  @Public()
  @UseGuards(CarrierSignatureGuard)
  @HttpCode(200)
  @Responds(200, CarrierEventsResult)
  @Responds(401, ProblemDetails, { description: 'Unknown integration, or a missing or wrong signature' })
  async receive(
    @Req() req: SignedRequest,
    @Body(new SchemaPipe(CarrierEventsRequest)) body: CarrierEventsRequest,
  ): Promise<CarrierEventsResult> {
    const integration = req.integration;
    if (!integration) throw new UnauthorizedException('A carrier event batch must be signed');
    const origin: CommandOrigin = {
      tenant: integration.tenant,
      actor: { id: `integration:${integration.integrationId}`, roles: [Role.Integrator] },
      correlationId: randomUUID(),
    };
    const results = await this.shipments.recordScans(origin, integration.carrier, body.events);
    return { results };
  }

  /** Creates or replaces one of the tenant's carrier integrations (its carrier and HMAC secret; never shown again). */
  @Put('carrier-integrations/:integrationId')
  @Roles(Role.Admin)
  @Responds(200, CarrierIntegrationView)
  async saveIntegration(
    @CurrentPrincipal() principal: Principal,
    @Param('integrationId', new SchemaPipe(IntegrationId)) integrationId: string,
    @Body(new SchemaPipe(CarrierIntegrationRequest)) body: CarrierIntegrationRequest,
  ): Promise<CarrierIntegrationView> {
    const saved = await this.integrations.save({ integrationId, tenant: principal.tenant, ...body });
    if (!saved) throw new CarrierIntegrationNotFound(integrationId);
    return { integrationId, carrier: body.carrier };
  }
}
