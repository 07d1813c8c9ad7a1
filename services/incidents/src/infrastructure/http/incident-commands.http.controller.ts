import { Body, Controller, Headers, HttpCode, Inject, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CurrentPrincipal, Role, Roles, SchemaPipe, type Principal } from '@aftersales/platform-http';
import {
  IncidentCommandsService,
  type IncidentCommandData,
  type IncidentCommandType,
  type IncidentSummary,
} from '../../application/incident-commands.service';
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
  async declare(
    @CurrentPrincipal() principal: Principal,
    @Body(new SchemaPipe(DeclareIncidentRequest)) body: DeclareIncidentRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: { setHeader(k: string, v: string): void },
  ): Promise<IncidentSummary> {
    const incidentId = this.incidents.incidentIdFor(principal, body.incidentId, idempotencyKey);
    const { incidentId: _requested, clusterKey, ...declared } = body;
    const summary = await this.incidents.execute(
      principal,
      incidentId,
      'DeclareIncident',
      { ...declared, incidentId, ...(clusterKey ? { clusterKey } : {}) },
      options(idempotencyKey, correlationId),
    );
    res.setHeader('Location', `/incidents/${incidentId}`);
    return summary;
  }

  @Post(':id/upgrade')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.upgrade)
  upgrade(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(ChangeLevelRequest)) body: ChangeLevelRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ) {
    return this.run(principal, id, 'UpgradeIncident', body, idempotencyKey, correlationId);
  }

  @Post(':id/downgrade')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.downgrade)
  downgrade(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(ChangeLevelRequest)) body: ChangeLevelRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ) {
    return this.run(principal, id, 'DowngradeIncident', body, idempotencyKey, correlationId);
  }

  /** Ends this incident as a duplicate of `survivorId`, which absorbs it in the same transaction. */
  @Post(':id/merge')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.merge)
  merge(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(MergeIncidentRequest)) body: MergeIncidentRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ) {
    return this.run(principal, id, 'MergeIncident', body, idempotencyKey, correlationId);
  }

  @Post(':id/contacts')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.contacts)
  contacts(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(RecordContactsRequest)) body: RecordContactsRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ) {
    return this.run(principal, id, 'RecordCustomersContacted', body, idempotencyKey, correlationId);
  }

  @Post(':id/temporary-measures')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.temporaryMeasures)
  temporaryMeasures(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(RecordTemporaryMeasureRequest)) body: RecordTemporaryMeasureRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ) {
    return this.run(principal, id, 'RecordTemporaryMeasure', body, idempotencyKey, correlationId);
  }

  @Post(':id/root-cause')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.rootCause)
  rootCause(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(RecordRootCauseRequest)) body: RecordRootCauseRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ) {
    return this.run(principal, id, 'RecordRootCause', body, idempotencyKey, correlationId);
  }

  @Post(':id/solution-approval')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.solutionApproval)
  solutionApproval(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(ApproveSolutionRequest)) body: ApproveSolutionRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ) {
    return this.run(principal, id, 'ApproveSolution', body, idempotencyKey, correlationId);
  }

  @Post(':id/implementation')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.implementation)
  implementation(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(RecordImplementationRequest)) body: RecordImplementationRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ) {
    return this.run(principal, id, 'RecordImplementation', body, idempotencyKey, correlationId);
  }

  @Post(':id/customer-confirmations')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.customerConfirmations)
  customerConfirmations(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(RecordConfirmationRequest)) body: RecordConfirmationRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ) {
    return this.run(principal, id, 'RecordCustomerConfirmation', body, idempotencyKey, correlationId);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.resolve)
  resolve(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(ResolveIncidentRequest)) body: ResolveIncidentRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ) {
    return this.run(principal, id, 'ResolveIncident', body, idempotencyKey, correlationId);
  }

  @Post(':id/follow-ups')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.followUps)
  followUps(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(RecordFollowUpRequest)) body: RecordFollowUpRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ) {
    return this.run(principal, id, 'RecordFollowUp', body, idempotencyKey, correlationId);
  }

  @Post(':id/retrospective')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.retrospective)
  retrospective(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(RecordRetrospectiveRequest)) body: RecordRetrospectiveRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ) {
    return this.run(principal, id, 'RecordRetrospective', body, idempotencyKey, correlationId);
  }

  @Post(':id/close')
  @HttpCode(200)
  @Roles(...IncidentRouteRoles.close)
  close(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(CloseIncidentRequest)) body: CloseIncidentRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ) {
    return this.run(principal, id, 'CloseIncident', body, idempotencyKey, correlationId);
  }

  private run<T extends IncidentCommandType>(
    principal: Principal,
    incidentId: string,
    type: T,
    data: IncidentCommandData<T>,
    idempotencyKey: string | undefined,
    correlationId: string | undefined,
  ): Promise<IncidentSummary> {
    return this.incidents.execute(principal, incidentId, type, data, options(idempotencyKey, correlationId));
  }
}

function options(idempotencyKey: string | undefined, correlationId: string | undefined) {
  return { correlationId: correlationId ?? randomUUID(), ...(idempotencyKey ? { idempotencyKey } : {}) };
}
