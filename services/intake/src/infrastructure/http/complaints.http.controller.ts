import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { newAggregateId, type CommandOrigin } from '@aftersales/eventstore';
import {
  CurrentPrincipal,
  RequestOrigin,
  Responds,
  Role,
  Roles,
  SchemaPipe,
  type Principal,
} from '@aftersales/platform-http';
import {
  ComplaintsService,
  type CustomerView,
  type RegisteredComplaint,
} from '../../application/register-complaint.handler';
import { ComplaintView, GetComplaintQuery } from './intake.views';
import { RegisterComplaintRequest } from './register-complaint.request';

/** The complaint as the API shows it: never the ciphertext, the customer as {@link CustomerView}. */
function view(complaint: RegisteredComplaint, customer: CustomerView): ComplaintView {
  const { tenant: _tenant, customerId: _customerId, customerData: _sealed, ...registered } = complaint.registered;
  return { ...registered, status: complaint.status, customer };
}

/** Channels register complaints: agents by hand, channel integrations (shop systems, social media) by API. */
const REGISTER_ROLES = [Role.Agent, Role.Integrator] as const;
/** Who may read a complaint; personal data additionally needs a purpose and an agent/supervisor/cs-manager role. */
const READ_ROLES = [
  Role.Agent,
  Role.Supervisor,
  Role.CsManager,
  Role.CsDirector,
  Role.IncidentCommander,
  Role.Quality,
  Role.Integrator,
] as const;

@Controller('complaints')
export class ComplaintsHttpController {
  constructor(@Inject(ComplaintsService) private readonly complaints: ComplaintsService) {}

  /**
   * Registers a complaint. The customer's contact details are sealed before the event is stored; the
   * response and the published event show none of them. `Idempotency-Key` makes a retry return the same
   * complaint without a second event.
   */
  @Post()
  @HttpCode(201)
  @Roles(...REGISTER_ROLES)
  @Responds(201, ComplaintView, {
    description: 'The complaint as registered (again, for a retry)',
    headers: { Location: '/complaints/{complaintId}' },
  })
  async register(
    @CurrentPrincipal() principal: Principal,
    @RequestOrigin() origin: CommandOrigin,
    @Body(new SchemaPipe(RegisterComplaintRequest)) body: RegisterComplaintRequest,
    @Res({ passthrough: true }) res: { setHeader(k: string, v: string): void },
  ): Promise<ComplaintView> {
    const complaintId = body.complaintId ?? newAggregateId(origin, 'complaint');
    const complaint = await this.complaints.register(origin, {
      ...body,
      complaintId,
      evidenceRefs: body.evidenceRefs ?? [],
    });
    res.setHeader('Location', `/complaints/${complaint.complaintId}`);
    return view(complaint, await this.complaints.customerOf(principal, complaint));
  }

  /**
   * A complaint of the caller's tenant. `?purpose=<why>` discloses the customer's contact details to agents,
   * supervisors and customer-service managers, and logs the read; without it they stay redacted.
   */
  @Get(':complaintId')
  @Roles(...READ_ROLES)
  @Responds(200, ComplaintView)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('complaintId', new ParseUUIDPipe()) complaintId: string,
    @Query(new SchemaPipe(GetComplaintQuery)) query: GetComplaintQuery,
  ): Promise<ComplaintView> {
    const stated = query.purpose?.trim();
    const complaint = await this.complaints.get(principal.tenant, complaintId);
    return view(complaint, await this.complaints.customerOf(principal, complaint, stated));
  }
}
