import { Controller, Get, Inject, Param, ParseUUIDPipe } from '@nestjs/common';
import { CurrentPrincipal, Responds, Role, Roles, type Principal } from '@aftersales/platform-http';
import { SurveysQueries } from '../../application/surveys.queries';
import { answerOf, SatisfactionView, satisfactionView, SuggestionsView } from './survey.views';

/** Who leads a response by level (§5): L3 cs-manager, L2 cs-director, L1 general manager / incident commander. */
const LEADERSHIP = [Role.CsManager, Role.CsDirector, Role.GeneralManager, Role.IncidentCommander] as const;
/** The figure matters to the CS group (which runs the surveys), quality and the incident's leadership. */
const SATISFACTION_ROLES = [Role.Agent, Role.Supervisor, Role.Quality, ...LEADERSHIP] as const;
/** Improvement input goes to the departments that act on it (§6), not to every agent. */
const IMPROVEMENT_ROLES = [Role.Supervisor, Role.Quality, ...LEADERSHIP] as const;

@Controller('incidents/:incidentId')
export class IncidentSatisfactionHttpController {
  constructor(@Inject(SurveysQueries) private readonly queries: SurveysQueries) {}

  /** The incident's current satisfaction against its target. */
  @Get('satisfaction')
  @Roles(...SATISFACTION_ROLES)
  @Responds(200, SatisfactionView)
  async satisfaction(
    @CurrentPrincipal() principal: Principal,
    @Param('incidentId', new ParseUUIDPipe()) incidentId: string,
  ): Promise<SatisfactionView> {
    return satisfactionView(await this.queries.satisfaction(principal, incidentId));
  }

  /** Unsatisfied answers and suggestions, newest first: improvement input for the responsible department. */
  @Get('suggestions')
  @Roles(...IMPROVEMENT_ROLES)
  @Responds(200, SuggestionsView)
  async suggestions(
    @CurrentPrincipal() principal: Principal,
    @Param('incidentId', new ParseUUIDPipe()) incidentId: string,
  ): Promise<SuggestionsView> {
    const rows = await this.queries.suggestionsOf(principal, incidentId);
    return {
      incidentId,
      items: rows.flatMap((row) => {
        const answer = answerOf(row);
        return answer
          ? [{ surveyId: row.survey_id, customerRef: row.customer_ref, channel: row.channel, ...answer }]
          : [];
      }),
    };
  }
}
