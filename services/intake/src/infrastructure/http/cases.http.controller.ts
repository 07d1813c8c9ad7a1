import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
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
import { CasesService } from '../../application/open-case.handler';
import type { CaseState } from '../../domain/case.decider';
import { CaseView } from './intake.views';
import { OpenCaseRequest } from './open-case.request';

function view(state: Extract<CaseState, { status: 'open' }>): CaseView {
  const { tenant: _tenant, ...opened } = state.opened;
  return { ...opened, status: state.status };
}

const CASE_ROLES = [Role.Agent, Role.Supervisor, Role.CsManager, Role.Integrator] as const;

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
    return view(state);
  }

  @Get(':caseId')
  @Roles(...CASE_ROLES)
  @Responds(200, CaseView)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
  ): Promise<CaseView> {
    return view(await this.cases.get(principal.tenant, caseId));
  }
}
