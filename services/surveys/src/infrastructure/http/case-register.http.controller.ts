import { Controller, Get, Inject, NotFoundException, Param, ParseUUIDPipe } from '@nestjs/common';
import type { ServiceDatabase } from '@aftersales/eventstore';
import { CurrentPrincipal, Responds, Role, Roles, type Principal } from '@aftersales/platform-http';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import { CaseRegisterView, ChannelStatsView } from './survey.views';

const READ_ROLES = [Role.Agent, Role.Supervisor, Role.CsManager, Role.CsDirector, Role.Quality] as const;

/** Surveys' view of cases and channel volumes; every query is scoped to the caller's tenant. */
@Controller()
export class CaseRegisterHttpController {
  constructor(@Inject(SERVICE_DATABASE) private readonly db: ServiceDatabase) {}

  @Get('case-register/:caseId')
  @Roles(...READ_ROLES)
  @Responds(200, CaseRegisterView)
  async case(
    @CurrentPrincipal() principal: Principal,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
  ): Promise<CaseRegisterView> {
    const { rows } = await this.db.pool.query<{
      case_id: string;
      channel: string;
      problem_type: string;
      order_id: string;
      customer_id: string;
      opened_at: Date;
    }>(
      `SELECT case_id, channel, problem_type, order_id, customer_id, opened_at FROM surveys_case_register
        WHERE tenant = $1 AND case_id = $2`,
      [principal.tenant, caseId],
    );
    const row = rows[0];
    if (!row) throw new NotFoundException(`No case ${caseId} registered for surveys in your tenant`);
    return {
      caseId: row.case_id,
      channel: row.channel,
      problemType: row.problem_type,
      orderId: row.order_id,
      customerId: row.customer_id,
      openedAt: row.opened_at.toISOString(),
    };
  }

  @Get('channel-stats')
  @Roles(...READ_ROLES)
  @Responds(200, ChannelStatsView)
  async channelStats(@CurrentPrincipal() principal: Principal): Promise<ChannelStatsView> {
    const { rows } = await this.db.pool.query<{ channel: string; cases: string }>(
      'SELECT channel, cases FROM surveys_channel_stats WHERE tenant = $1 ORDER BY channel',
      [principal.tenant],
    );
    return { channels: rows.map((r) => ({ channel: r.channel, cases: Number(r.cases) })) };
  }
}
