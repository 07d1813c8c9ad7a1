import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import type { CommandOrigin } from '@aftersales/eventstore';
import {
  CurrentPrincipal,
  ProblemDetails,
  RequestOrigin,
  Responds,
  Role,
  Roles,
  SchemaPipe,
  type Principal,
} from '@aftersales/platform-http';
import { CaseSurveysService } from '../../application/case-surveys.service';
import {
  AnswerCaseSurveyBody,
  CaseSurveyListView,
  CaseSurveyView,
  caseSurveyView,
  ContactQuery,
  ContactView,
  FollowUpCallListView,
  FollowUpCallsQuery,
  ListCaseSurveysQuery,
  RecordFollowUpCallBody,
} from './case-surveys.schemas';

/** Who reads case surveys: the customer-service group and quality. */
const READ_ROLES = [Role.Agent, Role.Supervisor, Role.CsManager, Role.Quality] as const;
/** Who records answers: an agent after a call, or the survey gateway (SMS, app) as an integrator. */
const ANSWER_ROLES = [Role.Agent, Role.Integrator] as const;
/** Who may read a contact the customer left (each read logged with its purpose): those who call back. */
const CONTACT_ROLES = [Role.Agent, Role.Supervisor, Role.CsManager] as const;

/**
 * Surveys of resolved after-sales cases (domain §6): the answer route, the sealed contact, and the proactive follow-up
 * calls of significant or complex cases.
 */
@Controller()
export class CaseSurveysHttpController {
  // Explicit token: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
  constructor(@Inject(CaseSurveysService) private readonly surveys: CaseSurveysService) {}

  /** The surveys of a case of the caller's tenant (one per resolution); 404 when the tenant never surveyed it. */
  @Get('case-surveys')
  @Roles(...READ_ROLES)
  @Responds(200, CaseSurveyListView)
  @Responds(404, ProblemDetails, { description: 'Your tenant never surveyed that case' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query(new SchemaPipe(ListCaseSurveysQuery)) query: ListCaseSurveysQuery,
  ): Promise<CaseSurveyListView> {
    const surveys = await this.surveys.surveysOfCase(principal, query.caseId);
    return { caseId: query.caseId, surveys: surveys.map(caseSurveyView) };
  }

  @Get('case-surveys/:caseSurveyId')
  @Roles(...READ_ROLES)
  @Responds(200, CaseSurveyView)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('caseSurveyId', new ParseUUIDPipe()) surveyId: string,
  ): Promise<CaseSurveyView> {
    return caseSurveyView(await this.surveys.get(principal, surveyId));
  }

  /**
   * The customer's answer (once: a second is 409 `SURVEY.ALREADY_ANSWERED`; before the invitation 409
   * `SURVEY.NOT_SENT`; after expiry 409 `SURVEY.EXPIRED`). `Idempotency-Key` replays 201. An unsatisfied answer or a
   * suggestion is routed as improvement input (`improvement-input-raised.v1`).
   */
  @Post('case-surveys/:caseSurveyId/answers')
  @HttpCode(201)
  @Roles(...ANSWER_ROLES)
  @Responds(201, CaseSurveyView, {
    description: 'The answered survey',
    headers: { Location: '/case-surveys/{caseSurveyId}' },
  })
  async answer(
    @RequestOrigin() origin: CommandOrigin,
    @Param('caseSurveyId', new ParseUUIDPipe()) surveyId: string,
    @Body(new SchemaPipe(AnswerCaseSurveyBody)) body: AnswerCaseSurveyBody,
    @Res({ passthrough: true }) res: { setHeader(k: string, v: string): void },
  ): Promise<CaseSurveyView> {
    const { survey } = await this.surveys.answer(origin, { ...body, surveyId });
    res.setHeader('Location', `/case-surveys/${surveyId}`);
    return caseSurveyView(survey);
  }

  /** The contact the customer left, opened for a stated purpose (logged: who, when, why); `null` when none. */
  @Get('case-surveys/:caseSurveyId/contact')
  @Roles(...CONTACT_ROLES)
  @Responds(200, ContactView)
  async contact(
    @CurrentPrincipal() principal: Principal,
    @Param('caseSurveyId', new ParseUUIDPipe()) surveyId: string,
    @Query(new SchemaPipe(ContactQuery)) query: ContactQuery,
  ): Promise<ContactView> {
    return { surveyId, contact: await this.surveys.contactOf(principal, surveyId, query.purpose) };
  }

  /** Records the proactive follow-up call (once; 409 `SURVEY.NO_FOLLOW_UP_CALL` when none is due for the case). */
  @Post('case-surveys/:caseSurveyId/follow-up-call')
  @HttpCode(201)
  @Roles(Role.Agent, Role.Supervisor)
  @Responds(201, CaseSurveyView, { description: 'The survey with its call recorded' })
  async recordCall(
    @RequestOrigin() origin: CommandOrigin,
    @Param('caseSurveyId', new ParseUUIDPipe()) surveyId: string,
    @Body(new SchemaPipe(RecordFollowUpCallBody)) body: RecordFollowUpCallBody,
  ): Promise<CaseSurveyView> {
    return caseSurveyView(await this.surveys.recordCall(origin, { ...body, surveyId }));
  }

  /** The follow-up calls of the caller's tenant: still to make (default), overdue, or all; earliest due first. */
  @Get('follow-up-calls')
  @Roles(...READ_ROLES)
  @Responds(200, FollowUpCallListView)
  async calls(
    @CurrentPrincipal() principal: Principal,
    @Query(new SchemaPipe(FollowUpCallsQuery)) query: FollowUpCallsQuery,
  ): Promise<FollowUpCallListView> {
    const rows = await this.surveys.followUpCalls(principal, query.status ?? 'due');
    return {
      calls: rows.map((r) => ({
        surveyId: r.survey_id,
        caseId: r.case_id,
        customerRef: r.customer_ref,
        team: r.team,
        agentId: r.agent_id,
        dueBy: (r.follow_up_due_by ?? r.expires_at).toISOString(),
        reasons: r.follow_up_reasons ?? [],
        status: r.follow_up_status ?? 'open',
        outcome: (r.follow_up_outcome as 'reached' | 'unreachable' | 'declined' | null) ?? null,
        calledAt: r.follow_up_called_at?.toISOString() ?? null,
        calledBy: r.follow_up_called_by,
        late: r.follow_up_late,
      })),
    };
  }
}
