import { Body, Controller, Get, Inject, Put } from '@nestjs/common';
import type { CommandOrigin } from '@aftersales/eventstore';
import {
  CurrentPrincipal,
  RequestOrigin,
  Responds,
  Role,
  Roles,
  SchemaPipe,
  ValidationProblem,
  type Principal,
} from '@aftersales/platform-http';
import { INTAKE_CONFIG, type IntakeConfig } from '../../application/intake.config';
import { SlaPoliciesService, type TenantSlaPolicy } from '../../application/sla-policies.service';
import { defaultSlaPolicy, validateSlaPolicy, type SlaPolicy } from '../../domain/sla-policy';
import { SlaPoliciesView, SlaPolicySchema } from './sla-policies.request';

function view(settings: TenantSlaPolicy): SlaPoliciesView {
  return {
    ...settings,
    policy: settings.policy as SlaPoliciesView['policy'],
    defaults: defaultSlaPolicy as SlaPoliciesView['defaults'],
  };
}

/**
 * The caller's tenant's SLA policy: business calendar, clock targets by channel, category and priority, the warning
 * share, the escalation ladder and its webhook. Every change is an event in the tenant's policy stream (who, when,
 * from what). Case workers read it; customer-service managers set it.
 */
@Controller('sla-policies')
export class SlaPoliciesHttpController {
  constructor(
    @Inject(SlaPoliciesService) private readonly policies: SlaPoliciesService,
    @Inject(INTAKE_CONFIG) private readonly config: IntakeConfig,
  ) {}

  @Get()
  @Roles(Role.Agent, Role.Supervisor, Role.CsManager)
  @Responds(200, SlaPoliciesView)
  async get(@CurrentPrincipal() principal: Principal): Promise<SlaPoliciesView> {
    return view(await this.policies.settings(principal.tenant));
  }

  /**
   * Replaces the policy: clocks started from now on follow it. 400 with field errors for a malformed body, an invalid
   * calendar (`validateBusinessCalendar`: time zone, weekdays, shifts, dates), a budget out of bounds, a ladder out of
   * order, or a webhook the operator does not allow (`INTAKE_NOTIFIER_ALLOWED_HOSTS`, credentials in the URL).
   */
  @Put()
  @Roles(Role.CsManager)
  @Responds(200, SlaPoliciesView, { description: 'The policy as saved' })
  async put(
    @RequestOrigin() origin: CommandOrigin,
    @Body(new SchemaPipe(SlaPolicySchema)) body: SlaPolicySchema,
  ): Promise<SlaPoliciesView> {
    const policy = body as SlaPolicy;
    const problems = validateSlaPolicy(policy);
    const { webhookUrl } = policy.escalation;
    const refusal = webhookUrl === null ? null : this.config.notifier.allowList.refusal(webhookUrl);
    if (refusal) problems.push({ pointer: '/escalation/webhookUrl', detail: refusal.detail });
    if (problems.length > 0) throw new ValidationProblem(problems);
    return view(await this.policies.set(origin, policy));
  }
}
