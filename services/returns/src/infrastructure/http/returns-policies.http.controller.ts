import { Body, Controller, Get, Inject, Put } from '@nestjs/common';
import { validateBusinessCalendar } from '@aftersales/business-time';
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
import { ReturnsPoliciesService, type TenantReturnsPolicy } from '../../application/returns-policies.service';
import { RETURNS_CONFIG, type ReturnsConfig } from '../../application/returns.config';
import type { ReturnsPolicy } from '../../domain/returns-policy';
import { PutReturnsPolicyBody, ReturnsPolicyView } from './returns.schemas';

/**
 * The caller's tenant's returns policy (defaults from domain.md §2): no-reason window, allowance share and the agent's
 * limit, replacement deadline, what the customer is told. Every change is an event in the tenant's policy stream.
 */
@Controller('returns-policies')
export class ReturnsPoliciesHttpController {
  constructor(
    // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
    @Inject(ReturnsPoliciesService) private readonly policies: ReturnsPoliciesService,
    @Inject(RETURNS_CONFIG) private readonly config: ReturnsConfig,
  ) {}

  @Get()
  @Roles(Role.Agent, Role.Supervisor, Role.CsManager)
  @Responds(200, ReturnsPolicyView)
  async get(@CurrentPrincipal() principal: Principal): Promise<ReturnsPolicyView> {
    return view(await this.policies.settings(principal.tenant));
  }

  /**
   * Replaces the policy; it applies to requests and steps decided, and deadlines started, from now on. 400 with field
   * errors for a malformed body, an invalid calendar (`validateBusinessCalendar`) or a supervisor webhook the operator
   * does not allow (`RETURNS_NOTIFIER_ALLOWED_HOSTS`, credentials in the URL).
   */
  @Put()
  @Roles(Role.CsManager)
  @Responds(200, ReturnsPolicyView, { description: 'The policy as saved' })
  async put(
    @RequestOrigin() origin: CommandOrigin,
    @Body(new SchemaPipe(PutReturnsPolicyBody)) body: PutReturnsPolicyBody,
  ): Promise<ReturnsPolicyView> {
    const problems = validateBusinessCalendar(body.calendar).map((e) => ({ ...e, pointer: `/calendar${e.pointer}` }));
    const supervisorWebhookUrl = body.supervisorWebhookUrl ?? null;
    const refusal = supervisorWebhookUrl === null ? null : this.config.notifier.allowList.refusal(supervisorWebhookUrl);
    if (refusal) problems.push({ pointer: '/supervisorWebhookUrl', detail: refusal.detail });
    if (problems.length > 0) throw new ValidationProblem(problems);
    return view(await this.policies.set(origin, { ...body, supervisorWebhookUrl } as ReturnsPolicy));
  }
}

/** The policy as the API shows it (plain arrays). */
function view(settings: TenantReturnsPolicy): ReturnsPolicyView {
  const { calendar } = settings.policy;
  const { extraWorkingDays, ...days } = calendar;
  return {
    ...settings,
    policy: {
      ...settings.policy,
      calendar: {
        ...days,
        workingDays: [...calendar.workingDays],
        shifts: calendar.shifts.map((shift) => ({ ...shift })),
        holidays: [...calendar.holidays],
        ...(extraWorkingDays ? { extraWorkingDays: [...extraWorkingDays] } : {}),
      },
    },
  };
}
