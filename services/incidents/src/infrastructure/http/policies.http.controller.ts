import { Body, Controller, Get, Inject, Put } from '@nestjs/common';
import {
  CurrentPrincipal,
  Responds,
  Role,
  Roles,
  SchemaPipe,
  ValidationProblem,
  type Principal,
} from '@aftersales/platform-http';
import { CLOCK, type Clock } from '@aftersales/service-runtime';
import { INCIDENTS_CONFIG, type IncidentsConfig } from '../../application/incidents.config';
import { TenantPolicies, type TenantIncidentSettings } from '../../application/tenant-policies';
import type { IncidentPolicyOverrides } from '../../domain';
import { PutPoliciesRequest } from './policies.request';
import { PoliciesView } from './policies.views';

function view(settings: TenantIncidentSettings): PoliciesView {
  const { tenant, overrides, policy, pager, updatedAt, updatedBy } = settings;
  return { tenant, overrides, effective: policy, pager, updatedAt, updatedBy };
}

/**
 * The caller's tenant's incident policy: what it overrides, the effective policy every rule reads, the pager webhook,
 * and who changed it last (each change is also kept in `incidents_tenant_policy_changes`). Admin only.
 */
@Controller('policies')
export class PoliciesHttpController {
  constructor(
    @Inject(TenantPolicies) private readonly policies: TenantPolicies,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(INCIDENTS_CONFIG) private readonly config: IncidentsConfig,
  ) {}

  @Get()
  @Roles(Role.Admin)
  @Responds(200, PoliciesView)
  async get(@CurrentPrincipal() principal: Principal): Promise<PoliciesView> {
    return view(await this.policies.settings(principal.tenant));
  }

  /**
   * Replaces the settings; 400 for a malformed body or a pager webhook the operator does not allow
   * (`INCIDENTS_PAGER_ALLOWED_HOSTS`, credentials in the URL), 422 (with the problems) for an inconsistent policy.
   */
  @Put()
  @Roles(Role.Admin)
  @Responds(200, PoliciesView, { description: 'The settings as saved' })
  async put(
    @CurrentPrincipal() principal: Principal,
    @Body(new SchemaPipe(PutPoliciesRequest)) body: PutPoliciesRequest,
  ): Promise<PoliciesView> {
    const pagerWebhookUrl = body.pager?.webhookUrl ?? null;
    const refusal = pagerWebhookUrl === null ? null : this.config.pager.allowList.refusal(pagerWebhookUrl);
    if (refusal) throw new ValidationProblem([{ pointer: '/pager/webhookUrl', detail: refusal.detail }]);
    const settings = await this.policies.save(
      principal.tenant,
      { overrides: body.overrides as IncidentPolicyOverrides, pagerWebhookUrl },
      principal.subject,
      this.clock(),
    );
    return view(settings);
  }
}
