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
import { AnswerSurveyHandler } from '../../application/answer-survey.handler';
import { SurveysQueries } from '../../application/surveys.queries';
import { AnswerSurveyRequest, ListSurveysQuery } from './answer-survey.request';
import {
  AnsweredSurveyView,
  satisfactionView,
  SurveyListView,
  surveyRowView,
  SurveyView,
  surveyView,
} from './survey.views';

/** Who reads surveys: the customer-service group and quality (domain §5 roles: CS group runs surveys). */
const READ_ROLES = [Role.Agent, Role.Supervisor, Role.CsManager, Role.Quality] as const;
/** Who records answers: the customer-service group after a call, SMS or app form, or an integrator (app, SMS gateway). */
const ANSWER_ROLES = [Role.Agent, Role.Integrator] as const;

@Controller('surveys')
export class SurveysHttpController {
  constructor(
    @Inject(SurveysQueries) private readonly queries: SurveysQueries,
    @Inject(AnswerSurveyHandler) private readonly answers: AnswerSurveyHandler,
  ) {}

  /** The surveys of an incident of the caller's tenant (404 for an incident it never surveyed). */
  @Get()
  @Roles(...READ_ROLES)
  @Responds(200, SurveyListView)
  @Responds(404, ProblemDetails, { description: 'Your tenant never surveyed that incident' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query(new SchemaPipe(ListSurveysQuery)) query: ListSurveysQuery,
  ): Promise<SurveyListView> {
    const rows = await this.queries.surveysOf(principal, query.incidentId);
    return { incidentId: query.incidentId, surveys: rows.map(surveyRowView) };
  }

  @Get(':surveyId')
  @Roles(...READ_ROLES)
  @Responds(200, SurveyView)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('surveyId', new ParseUUIDPipe()) surveyId: string,
  ): Promise<SurveyView> {
    return surveyView(await this.queries.survey(principal, surveyId));
  }

  /**
   * Records the customer's answer (once: a second answer is 409). `Idempotency-Key` makes a retried request answer
   * 201 again with the same result instead of 409.
   */
  @Post(':surveyId/answers')
  @HttpCode(201)
  @Roles(...ANSWER_ROLES)
  @Responds(201, AnsweredSurveyView, {
    description: 'The answered survey and the incident’s satisfaction after it',
    headers: { Location: '/surveys/{surveyId}' },
  })
  async answer(
    @RequestOrigin() origin: CommandOrigin,
    @Param('surveyId', new ParseUUIDPipe()) surveyId: string,
    @Body(new SchemaPipe(AnswerSurveyRequest)) body: AnswerSurveyRequest,
    @Res({ passthrough: true }) res: { setHeader(k: string, v: string): void },
  ): Promise<AnsweredSurveyView> {
    const { survey, satisfaction } = await this.answers.answer(origin, { ...body, surveyId });
    res.setHeader('Location', `/surveys/${surveyId}`);
    return {
      ...surveyView(survey),
      satisfaction: satisfaction.status === 'none' ? null : satisfactionView(satisfaction),
    };
  }
}
