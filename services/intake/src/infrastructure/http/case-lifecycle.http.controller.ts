import { Body, Controller, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { newAggregateId, type CommandOrigin } from '@aftersales/eventstore';
import { RequestOrigin, Responds, Role, Roles, SchemaPipe } from '@aftersales/platform-http';
import { CasesService, type CaseCommandOutcome, type CaseLifecycleRequest } from '../../application/cases.service';
import {
  AcceptSolutionRequest,
  AcknowledgeCaseRequest,
  AssignCaseRequest,
  ClassifyCaseRequest,
  CompleteCollaborationRequest,
  DetermineResponsibilityRequest,
  EscalateCaseRequest,
  NoteRequest,
  ProposeSolutionsRequest,
  RecordCommunicationRequest,
  RecordFactRequest,
  RejectSolutionsRequest,
  ReopenCaseRequest,
  RequestCollaborationRequest,
  RequestOrderChangeRequest,
  ResolveCaseRequest,
  StartWaitingRequest,
  VerifyCustomerIdentityRequest,
} from './case-lifecycle.request';
import { caseView, CaseView } from './case.views';

/** The people who work cases. */
const CASE_WORKERS = [Role.Agent, Role.Supervisor, Role.CsManager] as const;
/**
 * Who may call each step (admin always may: the platform guard admits it). Channel integrations (a chat system, the
 * shop's after-sales entry) record the conversation, send automatic off-hours acknowledgements and record identity
 * checks the customer passed in their app (SMS code, login); every decision on the case is a case worker's. Who may
 * take a case to the complaint team or senior management is the decider's rule (403 `CASE.ESCALATION_FORBIDDEN`).
 */
export const CaseRouteRoles = {
  acknowledgement: [...CASE_WORKERS, Role.Integrator],
  communications: [...CASE_WORKERS, Role.Integrator],
  identityVerification: [...CASE_WORKERS, Role.Integrator],
  work: CASE_WORKERS,
} as const;

const RESPONSE = { description: 'Where the case stands after the command (as it is, for a repeated request)' };

/**
 * One route per step of a case's life. Actor and tenant come from the bearer token; an unknown or another tenant's
 * case answers 404; a step the case's stage does not allow answers 409 with the rule; `Idempotency-Key` makes a retried
 * request append nothing new.
 */
@Controller('cases/:caseId')
export class CaseLifecycleHttpController {
  constructor(@Inject(CasesService) private readonly cases: CasesService) {}

  private async run(origin: CommandOrigin, caseId: string, request: CaseLifecycleRequest): Promise<CaseView> {
    return view(await this.cases.execute(origin, caseId, request));
  }

  /** The customer is told the case is accepted, with the expected cycle or next step; off hours, automatically. */
  @Post('acknowledgement')
  @HttpCode(200)
  @Roles(...CaseRouteRoles.acknowledgement)
  @Responds(200, CaseView, RESPONSE)
  acknowledge(
    @RequestOrigin() origin: CommandOrigin,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Body(new SchemaPipe(AcknowledgeCaseRequest)) body: AcknowledgeCaseRequest,
  ): Promise<CaseView> {
    return this.run(origin, caseId, {
      type: 'AcknowledgeCase',
      data: {
        message: body.message,
        expectedCycle: body.expectedCycle ?? null,
        nextStep: body.nextStep ?? null,
        automatic: body.automatic ?? false,
        handledFrom: body.handledFrom ?? null,
      },
    });
  }

  /** Classifies the case; again to reclassify (with a reason, recorded with the previous category). */
  @Post('classification')
  @HttpCode(200)
  @Roles(...CaseRouteRoles.work)
  @Responds(200, CaseView, RESPONSE)
  classify(
    @RequestOrigin() origin: CommandOrigin,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Body(new SchemaPipe(ClassifyCaseRequest)) body: ClassifyCaseRequest,
  ): Promise<CaseView> {
    return this.run(origin, caseId, {
      type: 'ClassifyCase',
      data: { category: body.category, reason: body.reason ?? null },
    });
  }

  /** Assigns the case to a queue, a team and possibly an agent; again to reassign (the previous one is recorded). */
  @Post('assignment')
  @HttpCode(200)
  @Roles(...CaseRouteRoles.work)
  @Responds(200, CaseView, RESPONSE)
  assign(
    @RequestOrigin() origin: CommandOrigin,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Body(new SchemaPipe(AssignCaseRequest)) body: AssignCaseRequest,
  ): Promise<CaseView> {
    return this.run(origin, caseId, {
      type: 'AssignCase',
      data: { queue: body.queue, team: body.team, agentId: body.agentId ?? null, reason: body.reason ?? null },
    });
  }

  /** Starts investigating an assigned or reopened case. */
  @Post('investigation')
  @HttpCode(200)
  @Roles(...CaseRouteRoles.work)
  @Responds(200, CaseView, RESPONSE)
  investigate(
    @RequestOrigin() origin: CommandOrigin,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
  ): Promise<CaseView> {
    return this.run(origin, caseId, { type: 'StartInvestigation', data: {} });
  }

  /** Records a fact of the investigation (order, logistics, product, customer history) with its source. */
  @Post('facts')
  @HttpCode(200)
  @Roles(...CaseRouteRoles.work)
  @Responds(200, CaseView, RESPONSE)
  recordFact(
    @RequestOrigin() origin: CommandOrigin,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Body(new SchemaPipe(RecordFactRequest)) body: RecordFactRequest,
  ): Promise<CaseView> {
    return this.run(origin, caseId, {
      type: 'RecordFact',
      data: { kind: body.kind, summary: body.summary, source: body.source, sourceRef: body.sourceRef ?? null },
    });
  }

  /** Determines who is responsible (customer, merchant, carrier, platform) and on what basis. */
  @Post('responsibility')
  @HttpCode(200)
  @Roles(...CaseRouteRoles.work)
  @Responds(200, CaseView, RESPONSE)
  determineResponsibility(
    @RequestOrigin() origin: CommandOrigin,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Body(new SchemaPipe(DetermineResponsibilityRequest)) body: DetermineResponsibilityRequest,
  ): Promise<CaseView> {
    return this.run(origin, caseId, { type: 'DetermineResponsibility', data: body });
  }

  /** Proposes 1–3 solutions, each with its basis, expected time and what the customer must do. */
  @Post('solutions')
  @HttpCode(200)
  @Roles(...CaseRouteRoles.work)
  @Responds(200, CaseView, RESPONSE)
  propose(
    @RequestOrigin() origin: CommandOrigin,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Body(new SchemaPipe(ProposeSolutionsRequest)) body: ProposeSolutionsRequest,
  ): Promise<CaseView> {
    const solutions = body.solutions.map((s) => ({ ...s, amount: s.amount ?? null }));
    return this.run(origin, caseId, { type: 'ProposeSolutions', data: { solutions } });
  }

  /** The customer accepts an option of the proposal: the case goes into execution. */
  @Post('solutions/acceptance')
  @HttpCode(200)
  @Roles(...CaseRouteRoles.work)
  @Responds(200, CaseView, RESPONSE)
  accept(
    @RequestOrigin() origin: CommandOrigin,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Body(new SchemaPipe(AcceptSolutionRequest)) body: AcceptSolutionRequest,
  ): Promise<CaseView> {
    return this.run(origin, caseId, { type: 'AcceptSolution', data: { option: body.option } });
  }

  /** The customer rejects the proposal: back to investigating, with the reason. */
  @Post('solutions/rejection')
  @HttpCode(200)
  @Roles(...CaseRouteRoles.work)
  @Responds(200, CaseView, RESPONSE)
  reject(
    @RequestOrigin() origin: CommandOrigin,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Body(new SchemaPipe(RejectSolutionsRequest)) body: RejectSolutionsRequest,
  ): Promise<CaseView> {
    return this.run(origin, caseId, { type: 'RejectSolutions', data: { reason: body.reason } });
  }

  /** Asks the merchant, the warehouse or logistics to help execute the solution: requirement, deadline, owner. */
  @Post('collaborations')
  @HttpCode(200)
  @Roles(...CaseRouteRoles.work)
  @Responds(200, CaseView, RESPONSE)
  requestCollaboration(
    @RequestOrigin() origin: CommandOrigin,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Body(new SchemaPipe(RequestCollaborationRequest)) body: RequestCollaborationRequest,
  ): Promise<CaseView> {
    const collaborationId = body.collaborationId ?? newAggregateId(origin, 'collaboration');
    return this.run(origin, caseId, { type: 'RequestCollaboration', data: { ...body, collaborationId } });
  }

  /** Records that a collaboration was done. */
  @Post('collaborations/:collaborationId/completion')
  @HttpCode(200)
  @Roles(...CaseRouteRoles.work)
  @Responds(200, CaseView, RESPONSE)
  completeCollaboration(
    @RequestOrigin() origin: CommandOrigin,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Param('collaborationId', new ParseUUIDPipe()) collaborationId: string,
    @Body(new SchemaPipe(CompleteCollaborationRequest)) body: CompleteCollaborationRequest,
  ): Promise<CaseView> {
    return this.run(origin, caseId, { type: 'CompleteCollaboration', data: { collaborationId, result: body.result } });
  }

  /** Resolves the case: the outcome, its basis and the route to object, as told to the customer. */
  @Post('resolution')
  @HttpCode(200)
  @Roles(...CaseRouteRoles.work)
  @Responds(200, CaseView, RESPONSE)
  resolve(
    @RequestOrigin() origin: CommandOrigin,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Body(new SchemaPipe(ResolveCaseRequest)) body: ResolveCaseRequest,
  ): Promise<CaseView> {
    return this.run(origin, caseId, { type: 'ResolveCase', data: body });
  }

  /** Closes a resolved case. */
  @Post('closure')
  @HttpCode(200)
  @Roles(...CaseRouteRoles.work)
  @Responds(200, CaseView, RESPONSE)
  close(
    @RequestOrigin() origin: CommandOrigin,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Body(new SchemaPipe(NoteRequest)) body: NoteRequest,
  ): Promise<CaseView> {
    return this.run(origin, caseId, { type: 'CloseCase', data: { note: body.note ?? null } });
  }

  /** Reopens a resolved or closed case on the customer's objection, within the tenant's reopen window. */
  @Post('reopening')
  @HttpCode(200)
  @Roles(...CaseRouteRoles.work)
  @Responds(200, CaseView, RESPONSE)
  reopen(
    @RequestOrigin() origin: CommandOrigin,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Body(new SchemaPipe(ReopenCaseRequest)) body: ReopenCaseRequest,
  ): Promise<CaseView> {
    return this.run(origin, caseId, { type: 'ReopenCase', data: { objection: body.objection } });
  }

  /** The case waits on the customer or a third party: the stage is kept, the clocks pause. */
  @Post('waiting')
  @HttpCode(200)
  @Roles(...CaseRouteRoles.work)
  @Responds(200, CaseView, RESPONSE)
  startWaiting(
    @RequestOrigin() origin: CommandOrigin,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Body(new SchemaPipe(StartWaitingRequest)) body: StartWaitingRequest,
  ): Promise<CaseView> {
    return this.run(origin, caseId, { type: 'StartWaiting', data: body });
  }

  /** The awaited reply came (a customer's message recorded as a communication ends a wait on the customer by itself). */
  @Post('waiting/end')
  @HttpCode(200)
  @Roles(...CaseRouteRoles.work)
  @Responds(200, CaseView, RESPONSE)
  endWaiting(
    @RequestOrigin() origin: CommandOrigin,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Body(new SchemaPipe(NoteRequest)) body: NoteRequest,
  ): Promise<CaseView> {
    return this.run(origin, caseId, { type: 'EndWaiting', data: { note: body.note ?? null } });
  }

  /** Takes the case up its escalation ladder by hand (reason `manual`). */
  @Post('escalation')
  @HttpCode(200)
  @Roles(...CaseRouteRoles.work)
  @Responds(200, CaseView, RESPONSE)
  escalate(
    @RequestOrigin() origin: CommandOrigin,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Body(new SchemaPipe(EscalateCaseRequest)) body: EscalateCaseRequest,
  ): Promise<CaseView> {
    return this.run(origin, caseId, {
      type: 'EscalateCase',
      data: { rung: body.rung, reason: 'manual', note: body.note ?? null },
    });
  }

  /** Records that the customer proved who they are, and how; sensitive order data is reachable while it holds. */
  @Post('identity-verification')
  @HttpCode(200)
  @Roles(...CaseRouteRoles.identityVerification)
  @Responds(200, CaseView, RESPONSE)
  verifyIdentity(
    @RequestOrigin() origin: CommandOrigin,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Body(new SchemaPipe(VerifyCustomerIdentityRequest)) body: VerifyCustomerIdentityRequest,
  ): Promise<CaseView> {
    return this.run(origin, caseId, {
      type: 'VerifyCustomerIdentity',
      data: { method: body.method, reference: body.reference ?? null },
    });
  }

  /**
   * Requests a change of the order's shipping address or contact phone: refused (409 `CASE.IDENTITY_NOT_VERIFIED`)
   * unless the customer's identity is verified on the case; the new details are sealed.
   */
  @Post('order-changes')
  @HttpCode(200)
  @Roles(...CaseRouteRoles.work)
  @Responds(200, CaseView, RESPONSE)
  async requestOrderChange(
    @RequestOrigin() origin: CommandOrigin,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Body(new SchemaPipe(RequestOrderChangeRequest)) body: RequestOrderChangeRequest,
  ): Promise<CaseView> {
    const changeId = body.changeId ?? newAggregateId(origin, 'order-change');
    const details =
      body.kind === 'shipping_address'
        ? {
            address: body.address,
            ...(body.name ? { name: body.name } : {}),
            ...(body.phone ? { phone: body.phone } : {}),
          }
        : { phone: body.phone };
    return view(
      await this.cases.requestOrderChange(origin, caseId, {
        changeId,
        kind: body.kind,
        details,
        note: body.note ?? null,
      }),
    );
  }

  /**
   * Records a communication (channel, direction, author, objective summary, attachments); the contact data used is
   * sealed. The first outbound message of an agent is the first response; the customer's message ends a wait on them.
   */
  @Post('communications')
  @HttpCode(200)
  @Roles(...CaseRouteRoles.communications)
  @Responds(200, CaseView, RESPONSE)
  async recordCommunication(
    @RequestOrigin() origin: CommandOrigin,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Body(new SchemaPipe(RecordCommunicationRequest)) body: RecordCommunicationRequest,
  ): Promise<CaseView> {
    const communicationId = body.communicationId ?? newAggregateId(origin, 'communication');
    return view(
      await this.cases.recordCommunication(origin, caseId, {
        communicationId,
        channel: body.channel,
        direction: body.direction,
        author: { kind: body.author.kind, ref: body.author.ref ?? null },
        summary: body.summary,
        attachmentRefs: body.attachmentRefs ?? [],
        contact: body.contact ?? null,
      }),
    );
  }
}

function view(outcome: CaseCommandOutcome): CaseView {
  return caseView(outcome.state);
}
