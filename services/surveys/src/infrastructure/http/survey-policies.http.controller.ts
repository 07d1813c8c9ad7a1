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
import { SurveyPolicies } from '../../application/survey-policies';
import { SURVEYS_CONFIG, type SurveysConfig } from '../../application/surveys.config';
import type { SurveyPolicyOverrides } from '../../domain/survey-policy';
import { PutSurveyPolicyBody, SurveyPolicyView, surveyPolicyView } from './case-surveys.schemas';

/**
 * The caller's tenant's survey policy (domain §6): which resolved cases are surveyed, on which channel, after what
 * delay, reminder and expiry, the unsatisfied threshold, significant cases' follow-up call, sampling, repeat window,
 * calendar and the survey gateway.
 */
@Controller('survey-policies')
export class SurveyPoliciesHttpController {
  constructor(
    // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
    @Inject(SurveyPolicies) private readonly policies: SurveyPolicies,
    @Inject(SURVEYS_CONFIG) private readonly config: SurveysConfig,
  ) {}

  @Get()
  @Roles(Role.Agent, Role.Supervisor, Role.CsManager, Role.Quality)
  @Responds(200, SurveyPolicyView)
  async get(@CurrentPrincipal() principal: Principal): Promise<SurveyPolicyView> {
    return surveyPolicyView(await this.policies.settings(principal.tenant));
  }

  /**
   * Replaces the tenant's changes to the defaults; they apply to cases resolved and answers recorded from now on. 400
   * for a malformed body or a gateway webhook the operator does not allow (`SURVEYS_NOTIFIER_ALLOWED_HOSTS`); 422
   * `SURVEY_POLICY.INVALID` for a policy that does not hold together (e.g. a reminder after the expiry, a calendar
   * without shifts).
   */
  @Put()
  @Roles(Role.CsManager)
  @Responds(200, SurveyPolicyView, { description: 'The policy as saved' })
  async put(
    @RequestOrigin() origin: CommandOrigin,
    @Body(new SchemaPipe(PutSurveyPolicyBody)) body: PutSurveyPolicyBody,
  ): Promise<SurveyPolicyView> {
    const url = body.webhookUrl ?? null;
    const refusal = url === null ? null : this.config.notifier.allowList.refusal(url);
    if (refusal) throw new ValidationProblem([{ pointer: '/webhookUrl', detail: refusal.detail }]);
    return surveyPolicyView(await this.policies.set(origin, body as SurveyPolicyOverrides));
  }
}
