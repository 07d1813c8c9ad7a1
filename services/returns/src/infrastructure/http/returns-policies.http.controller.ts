import { Body, Controller, Get, Inject, Put } from '@nestjs/common';
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
import { ReturnsPoliciesService } from '../../application/returns-policies.service';
import { PutReturnsPolicyBody, ReturnsPolicyView } from './returns.schemas';

/**
 * The caller's tenant's returns policy (defaults from domain.md §2): no-reason window, allowance share and the agent's
 * limit, replacement deadline, what the customer is told. Every change is an event in the tenant's policy stream.
 */
@Controller('returns-policies')
export class ReturnsPoliciesHttpController {
  constructor(@Inject(ReturnsPoliciesService) private readonly policies: ReturnsPoliciesService) {}

  @Get()
  @Roles(Role.Agent, Role.Supervisor, Role.CsManager)
  @Responds(200, ReturnsPolicyView)
  async get(@CurrentPrincipal() principal: Principal): Promise<ReturnsPolicyView> {
    return this.policies.settings(principal.tenant);
  }

  /** Replaces the policy; it applies to requests and steps decided from now on. */
  @Put()
  @Roles(Role.CsManager)
  @Responds(200, ReturnsPolicyView, { description: 'The policy as saved' })
  async put(
    @RequestOrigin() origin: CommandOrigin,
    @Body(new SchemaPipe(PutReturnsPolicyBody)) body: PutReturnsPolicyBody,
  ): Promise<ReturnsPolicyView> {
    return this.policies.set(origin, body);
  }
}
