import { Body, Controller, HttpCode, Inject, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { newAggregateId, type CommandOrigin } from '@aftersales/eventstore';
import { RequestOrigin, Responds, Role, Roles, SchemaPipe } from '@aftersales/platform-http';
import { IncidentCommandsService, IncidentSummary } from '../../application/incident-commands.service';
import {
  ApproveSolutionRequest,
  ChangeLevelRequest,
  CloseIncidentRequest,
  DeclareIncidentRequest,
  MergeIncidentRequest,
  RecordConfirmationRequest,
  RecordContactsRequest,
  RecordFollowUpRequest,
  RecordImplementationRequest,
  RecordPrStatementRequest,
  RecordQualityCheckRequest,
  RecordRecallComplianceRequest,
  RecordRetrospectiveRequest,
  RecordRootCauseRequest,
  RecordTemporaryMeasureRequest,
  ResolveIncidentRequest,
} from './incident-commands.request';

/**
 * Who may call each route (admin always may: the platform guard admits it). Where the domain guards a decision by
 * the tenant's policy (downgrade, root cause, solution approval), the route admits every incident role and the
 * decider answers 403 with the rule, because a tenant may give those decisions to other roles than the defaults.
 */
const LEADS = [Role.CsManager, Role.CsDirector, Role.IncidentCommander, Role.GeneralManager] as const;
const CUSTOMER_SERVICE = [
  Role.Agent,
  Role.Supervisor,
  Role.CsManager,
  Role.CsDirector,
  Role.IncidentCommander,
] as const;
const SUPPORT = [Role.TechSupport, Role.Quality, Role.Logistics] as const;
const INCIDENT_STAFF = [...CUSTOMER_SERVICE, Role.GeneralManager, ...SUPPORT, Role.Pr, Role.Legal] as const;
export const IncidentRouteRoles = {
  declare: [Role.Supervisor, ...LEADS, ...SUPPORT],
  upgrade: [Role.Supervisor, ...LEADS, ...SUPPORT],
  downgrade: INCIDENT_STAFF,
  merge: LEADS,
  contacts: CUSTOMER_SERVICE,
  temporaryMeasures: [...CUSTOMER_SERVICE, Role.TechSupport, Role.Logistics],
  rootCause: INCIDENT_STAFF,
  solutionApproval: INCIDENT_STAFF,
  implementation: [...LEADS, ...SUPPORT],
  customerConfirmations: CUSTOMER_SERVICE,
  resolve: LEADS,
  followUps: CUSTOMER_SERVICE,
  retrospective: [...LEADS, Role.Quality],
  qualityCheck: INCIDENT_STAFF,
  recallCompliance: INCIDENT_STAFF,
  prStatements: INCIDENT_STAFF,
  close: LEADS,
} as const satisfies Record<string, readonly Role[]>;

/**
 * The incident commands. Actor and tenant come from the bearer token; another tenant's incident answers 404; a command
 * the incident's phase does not allow answers 409 with the rule; `Idempotency-Key` makes a retried request append
 * nothing new (it answers the incident as it is, with `duplicate: true`).
 */
@Controller('incidents')
export class IncidentCommandsHttpController {
  constructor(@Inject(IncidentCommandsService) private readonly incidents: IncidentCommandsService) {}

  /** Declares an incident by hand. 201 with `Location`. */
  @Post()
  @HttpCode(201)
  @Roles(...IncidentRouteRoles.declare)
  @Responds(201, IncidentSummary, {
    description: 'The incident as declared (again, for a retry)',
    headers: { Location: '/incidents/{incidentId}' },
  })
  async declare(
    @RequestOrigin() origin: CommandOrigin,
    @Body(new SchemaPipe(DeclareIncidentRequest)) body: DeclareIncidentRequest,
    @Res({ passthrough: true }) res: { setHeader(k: string, v: string): void },
  ): Promise<IncidentSummary> {
    // A retried declaration (same Idempotency-Key) finds the incident its first attempt created.
    const incidentId = body.incidentId ?? newAggregateId(origin, 'declare');
    const { incidentId: _requested, clusterKey, ...declared } = body;
    const summary = await this.incidents.execute(origin, incidentId, 'DeclareIncident', {
      ...declared,
      incidentId,
      ...(clusterKey ? { clusterKey } : {}),
    });
    res.setHeader('Location', `/incidents/${incidentId}`);
    return summary;
  }

  @Post(':id/upgrade')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.upgrade)
  @Responds(200, IncidentSummary, { description: 'Where the incident stands after the command' })
  upgrade(
    @RequestOrigin() origin: CommandOrigin,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(ChangeLevelRequest)) body: ChangeLevelRequest,
  ): Promise<IncidentSummary> {
    return this.incidents.execute(origin, id, 'UpgradeIncident', body);
  }

  @Post(':id/downgrade')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.downgrade)
  @Responds(200, IncidentSummary, { description: 'Where the incident stands after the command' })
  downgrade(
    @RequestOrigin() origin: CommandOrigin,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(ChangeLevelRequest)) body: ChangeLevelRequest,
  ): Promise<IncidentSummary> {
    return this.incidents.execute(origin, id, 'DowngradeIncident', body);
  }

  /** Ends this incident as a duplicate of `survivorId`, which absorbs it in the same transaction. */
  @Post(':id/merge')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.merge)
  @Responds(200, IncidentSummary, { description: 'Where the incident stands after the command' })
  merge(
    @RequestOrigin() origin: CommandOrigin,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(MergeIncidentRequest)) body: MergeIncidentRequest,
  ): Promise<IncidentSummary> {
    return this.incidents.execute(origin, id, 'MergeIncident', body);
  }

  @Post(':id/contacts')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.contacts)
  @Responds(200, IncidentSummary, { description: 'Where the incident stands after the command' })
  contacts(
    @RequestOrigin() origin: CommandOrigin,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(RecordContactsRequest)) body: RecordContactsRequest,
  ): Promise<IncidentSummary> {
    return this.incidents.execute(origin, id, 'RecordCustomersContacted', body);
  }

  @Post(':id/temporary-measures')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.temporaryMeasures)
  @Responds(200, IncidentSummary, { description: 'Where the incident stands after the command' })
  temporaryMeasures(
    @RequestOrigin() origin: CommandOrigin,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(RecordTemporaryMeasureRequest)) body: RecordTemporaryMeasureRequest,
  ): Promise<IncidentSummary> {
    return this.incidents.execute(origin, id, 'RecordTemporaryMeasure', body);
  }

  @Post(':id/root-cause')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.rootCause)
  @Responds(200, IncidentSummary, { description: 'Where the incident stands after the command' })
  rootCause(
    @RequestOrigin() origin: CommandOrigin,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(RecordRootCauseRequest)) body: RecordRootCauseRequest,
  ): Promise<IncidentSummary> {
    return this.incidents.execute(origin, id, 'RecordRootCause', body);
  }

  @Post(':id/solution-approval')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.solutionApproval)
  @Responds(200, IncidentSummary, { description: 'Where the incident stands after the command' })
  solutionApproval(
    @RequestOrigin() origin: CommandOrigin,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(ApproveSolutionRequest)) body: ApproveSolutionRequest,
  ): Promise<IncidentSummary> {
    return this.incidents.execute(origin, id, 'ApproveSolution', body);
  }

  @Post(':id/implementation')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.implementation)
  @Responds(200, IncidentSummary, { description: 'Where the incident stands after the command' })
  implementation(
    @RequestOrigin() origin: CommandOrigin,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(RecordImplementationRequest)) body: RecordImplementationRequest,
  ): Promise<IncidentSummary> {
    return this.incidents.execute(origin, id, 'RecordImplementation', body);
  }

  @Post(':id/customer-confirmations')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.customerConfirmations)
  @Responds(200, IncidentSummary, { description: 'Where the incident stands after the command' })
  customerConfirmations(
    @RequestOrigin() origin: CommandOrigin,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(RecordConfirmationRequest)) body: RecordConfirmationRequest,
  ): Promise<IncidentSummary> {
    return this.incidents.execute(origin, id, 'RecordCustomerConfirmation', body);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.resolve)
  @Responds(200, IncidentSummary, { description: 'Where the incident stands after the command' })
  resolve(
    @RequestOrigin() origin: CommandOrigin,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(ResolveIncidentRequest)) body: ResolveIncidentRequest,
  ): Promise<IncidentSummary> {
    return this.incidents.execute(origin, id, 'ResolveIncident', body);
  }

  @Post(':id/follow-ups')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.followUps)
  @Responds(200, IncidentSummary, { description: 'Where the incident stands after the command' })
  followUps(
    @RequestOrigin() origin: CommandOrigin,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(RecordFollowUpRequest)) body: RecordFollowUpRequest,
  ): Promise<IncidentSummary> {
    return this.incidents.execute(origin, id, 'RecordFollowUp', body);
  }

  @Post(':id/retrospective')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.retrospective)
  @Responds(200, IncidentSummary, { description: 'Where the incident stands after the command' })
  retrospective(
    @RequestOrigin() origin: CommandOrigin,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(RecordRetrospectiveRequest)) body: RecordRetrospectiveRequest,
  ): Promise<IncidentSummary> {
    return this.incidents.execute(origin, id, 'RecordRetrospective', body);
  }

  /** The quality group's check of the fix; the policy's `closureCheckers.quality` decide (403). */
  @Post(':id/quality-check')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.qualityCheck)
  @Responds(200, IncidentSummary, { description: 'Where the incident stands after the command' })
  qualityCheck(
    @RequestOrigin() origin: CommandOrigin,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(RecordQualityCheckRequest)) body: RecordQualityCheckRequest,
  ): Promise<IncidentSummary> {
    return this.incidents.execute(origin, id, 'RecordQualityCheck', body);
  }

  /** The recall-compliance check of a product-quality incident; `closureCheckers.recallCompliance` decide (403). */
  @Post(':id/recall-compliance')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.recallCompliance)
  @Responds(200, IncidentSummary, { description: 'Where the incident stands after the command' })
  recallCompliance(
    @RequestOrigin() origin: CommandOrigin,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(RecordRecallComplianceRequest)) body: RecordRecallComplianceRequest,
  ): Promise<IncidentSummary> {
    return this.incidents.execute(origin, id, 'RecordRecallComplianceCheck', body);
  }

  /** PR's statement (closing a level-1 incident needs one); `closureCheckers.prStatement` decide (403). */
  @Post(':id/pr-statements')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.prStatements)
  @Responds(200, IncidentSummary, { description: 'Where the incident stands after the command' })
  prStatement(
    @RequestOrigin() origin: CommandOrigin,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(RecordPrStatementRequest)) body: RecordPrStatementRequest,
  ): Promise<IncidentSummary> {
    return this.incidents.execute(origin, id, 'RecordPrStatement', body);
  }

  @Post(':id/close')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.close)
  @Responds(200, IncidentSummary, { description: 'Where the incident stands after the command' })
  close(
    @RequestOrigin() origin: CommandOrigin,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(CloseIncidentRequest)) body: CloseIncidentRequest,
  ): Promise<IncidentSummary> {
    return this.incidents.execute(origin, id, 'CloseIncident', body);
  }
}
