import { Body, Controller, Get, Inject, Param, Post, Res } from '@nestjs/common';
import type { CommandOrigin } from '@aftersales/eventstore';
import {
  CurrentPrincipal,
  RequestOrigin,
  Responds,
  Role,
  Roles,
  SchemaPipe,
  type Principal,
} from '@aftersales/platform-http';
import { CustomerDataService } from '../../application/erase-customer-data.handler';
import { EraseCustomerDataRequest } from './erase-customer-data.request';
import { AccessLogView, CustomerIdParam, ErasureView } from './intake.views';

const PRIVACY_OFFICERS = [Role.Supervisor, Role.Admin] as const;

@Controller('customers')
export class CustomersHttpController {
  constructor(@Inject(CustomerDataService) private readonly customers: CustomerDataService) {}

  /**
   * Erases the customer's personal data by destroying their key: 201 with the erasure, 200 with the first
   * erasure when it had already happened.
   */
  @Post(':customerId/erasure')
  @Roles(...PRIVACY_OFFICERS)
  @Responds(201, ErasureView, { description: 'Erased now' })
  @Responds(200, ErasureView, { description: 'Erased before: the first erasure, nothing changed' })
  async erase(
    @RequestOrigin() origin: CommandOrigin,
    @Param('customerId', new SchemaPipe(CustomerIdParam)) customerId: string,
    @Body(new SchemaPipe(EraseCustomerDataRequest)) body: EraseCustomerDataRequest,
    @Res({ passthrough: true }) res: { status(code: number): unknown },
  ): Promise<ErasureView> {
    const { tenant: _tenant, ...erasure } = await this.customers.erase(origin, customerId, body.reason);
    res.status(erasure.alreadyErased ? 200 : 201);
    return erasure;
  }

  /** Who read the customer's personal data, when, why and with what outcome (newest first). */
  @Get(':customerId/access-log')
  @Roles(...PRIVACY_OFFICERS)
  @Responds(200, AccessLogView)
  async accessLog(
    @CurrentPrincipal() principal: Principal,
    @Param('customerId', new SchemaPipe(CustomerIdParam)) customerId: string,
  ): Promise<AccessLogView> {
    const { erasure, entries } = await this.customers.accessLog(principal.tenant, customerId);
    return {
      customerId,
      erasure: erasure && { erasedAt: erasure.erasedAt.toISOString(), erasedBy: erasure.erasedBy },
      entries: entries.map(({ id: _id, accessedAt, ...entry }) => ({ ...entry, accessedAt: accessedAt.toISOString() })),
    };
  }
}
