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
import { CasePoliciesService } from '../../application/case-policies.service';
import { PutCasePoliciesRequest } from './case-lifecycle.request';
import { CasePoliciesView, casePoliciesView } from './case.views';

/**
 * The caller's tenant's case policy: the reopen window and how long an identity verification holds. Every change is
 * an event in the tenant's policy stream (who, when, from what). Case workers read it; customer-service managers set it.
 */
@Controller('case-policies')
export class CasePoliciesHttpController {
  constructor(@Inject(CasePoliciesService) private readonly policies: CasePoliciesService) {}

  @Get()
  @Roles(Role.Agent, Role.Supervisor, Role.CsManager)
  @Responds(200, CasePoliciesView)
  async get(@CurrentPrincipal() principal: Principal): Promise<CasePoliciesView> {
    return casePoliciesView(await this.policies.settings(principal.tenant));
  }

  /** Replaces the policy; it applies to cases resolved (windows) and verifications recorded from now on. */
  @Put()
  @Roles(Role.CsManager)
  @Responds(200, CasePoliciesView, { description: 'The policy as saved' })
  async put(
    @RequestOrigin() origin: CommandOrigin,
    @Body(new SchemaPipe(PutCasePoliciesRequest)) body: PutCasePoliciesRequest,
  ): Promise<CasePoliciesView> {
    return casePoliciesView(await this.policies.set(origin, body));
  }
}
