import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { newAggregateId, type CommandOrigin } from '@aftersales/eventstore';
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
import { CasesService } from '../../application/cases.service';
import { ContactDetailsQuery } from './case-lifecycle.request';
import { caseView, CaseView, ContactDetailsView, contactDetailsView } from './case.views';
import { OpenCaseRequest } from './open-case.request';

/** Who opens and reads cases: the case workers and channel integrations (shop systems, chat). */
const CASE_ROLES = [Role.Agent, Role.Supervisor, Role.CsManager, Role.Integrator] as const;
/** Who may read the customer's contact data on a case (the service also checks them: admin passes the guard only). */
const CONTACT_READERS = [Role.Agent, Role.Supervisor, Role.CsManager] as const;

@Controller('cases')
export class CasesHttpController {
  constructor(@Inject(CasesService) private readonly cases: CasesService) {}

  /** Opens a case. `Idempotency-Key` makes a retried request return the same case without a second event. */
  @Post()
  @HttpCode(201)
  @Roles(...CASE_ROLES)
  @Responds(201, CaseView, {
    description: 'The case as opened (again, for a retry)',
    headers: { Location: '/cases/{caseId}' },
  })
  async open(
    @RequestOrigin() origin: CommandOrigin,
    @Body(new SchemaPipe(OpenCaseRequest)) body: OpenCaseRequest,
    @Res({ passthrough: true }) res: { setHeader(k: string, v: string): void },
  ): Promise<CaseView> {
    const caseId = body.caseId ?? newAggregateId(origin, 'case');
    const state = await this.cases.open(origin, { ...body, caseId, evidence: body.evidence ?? [] });
    res.setHeader('Location', `/cases/${caseId}`);
    return caseView(state);
  }

  /** Where the case stands: stage, category, assignment, waiting, solutions, collaborations, resolution, verification, escalation. */
  @Get(':caseId')
  @Roles(...CASE_ROLES)
  @Responds(200, CaseView)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
  ): Promise<CaseView> {
    return caseView(await this.cases.get(principal.tenant, caseId));
  }

  /**
   * The customer's contact data the case holds (phones and e-mails of its communications, details of its order
   * changes), for agents, supervisors and customer-service managers, while the customer's identity is verified on the
   * case (409 `CASE.IDENTITY_NOT_VERIFIED` otherwise). Every read is logged with its purpose
   * (`GET /customers/:customerId/access-log`).
   */
  @Get(':caseId/contact-details')
  @Roles(...CONTACT_READERS)
  @Responds(200, ContactDetailsView)
  @Responds(409, ProblemDetails, { description: "The customer's identity is not verified on the case" })
  async contactDetails(
    @CurrentPrincipal() principal: Principal,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Query(new SchemaPipe(ContactDetailsQuery)) query: ContactDetailsQuery,
  ): Promise<ContactDetailsView> {
    const { state, erased, contacts } = await this.cases.contactDetails(principal, caseId, query.purpose.trim());
    return contactDetailsView(state, erased, contacts);
  }
}
