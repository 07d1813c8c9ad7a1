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
import { LogisticsPoliciesService, type TenantLogisticsPolicy } from '../../application/logistics-policies.service';
import { LogisticsPolicyBody, LogisticsPolicyView } from './shipment.schemas';

/**
 * The caller's tenant's logistics policy (defaults from domain.md §3): tracking thresholds with overrides per carrier
 * and lane, carriers by preference, regional alarm threshold and window, large orders, valuable goods.
 */
@Controller('logistics-policies')
export class LogisticsPoliciesHttpController {
  constructor(@Inject(LogisticsPoliciesService) private readonly policies: LogisticsPoliciesService) {}

  @Get()
  @Roles(Role.Logistics, Role.Supervisor, Role.CsManager, Role.Admin)
  @Responds(200, LogisticsPolicyView)
  async get(@CurrentPrincipal() principal: Principal): Promise<LogisticsPolicyView> {
    return view(await this.policies.settings(principal.tenant));
  }

  /** Replaces the policy; tracking timers use it from their next scan or check. 422 when thresholds do not grow. */
  @Put()
  @Roles(Role.CsManager, Role.Admin)
  @Responds(200, LogisticsPolicyView, { description: 'The policy as saved' })
  async put(
    @RequestOrigin() origin: CommandOrigin,
    @Body(new SchemaPipe(LogisticsPolicyBody)) body: LogisticsPolicyBody,
  ): Promise<LogisticsPolicyView> {
    return view(await this.policies.set(origin, body));
  }
}

function view(settings: TenantLogisticsPolicy): LogisticsPolicyView {
  const p = settings.policy;
  return {
    ...settings,
    policy: {
      ...p,
      tracking: { ...p.tracking },
      overrides: p.overrides.map((o) => ({ ...o, rules: { ...o.rules } })),
      carriers: [...p.carriers],
      regionalAlarm: { ...p.regionalAlarm },
    },
  };
}
