import { Controller, Inject } from '@nestjs/common';
import {
  CaseAssignedV1,
  CaseClassifiedV1,
  CaseEscalatedV1,
  CaseReopenedV1,
  CaseResolvedV1,
} from '@aftersales/contracts';
import { Handles, type InboxEvent } from '@aftersales/messaging';
import { CaseSurveysService } from '../../application/case-surveys.service';

/**
 * What surveys needs of intake's cases after they were opened, on the `case-register` consumer (the same one as
 * `CaseOpenedV1`, so a case's events apply in their order): the agent and team it was assigned to (KPIs, quality
 * sampling, the responsible department), its category, whether it was escalated or reopened (a follow-up call), and
 * its resolution, which schedules its survey. Everything runs in the inbox transaction; an event about a case the
 * register never saw changes nothing.
 */
@Controller()
export class CaseFollowUpConsumer {
  constructor(@Inject(CaseSurveysService) private readonly surveys: CaseSurveysService) {}

  @Handles(CaseAssignedV1)
  async onCaseAssigned({ tx, tenant, data }: InboxEvent<CaseAssignedV1>): Promise<void> {
    await tx.query(`UPDATE surveys_case_register SET agent_id = $3, team = $4 WHERE tenant = $1 AND case_id = $2`, [
      tenant,
      data.caseId,
      data.agentId ?? null,
      data.team,
    ]);
  }

  @Handles(CaseClassifiedV1)
  async onCaseClassified({ tx, tenant, data }: InboxEvent<CaseClassifiedV1>): Promise<void> {
    await tx.query('UPDATE surveys_case_register SET problem_type = $3 WHERE tenant = $1 AND case_id = $2', [
      tenant,
      data.caseId,
      data.category,
    ]);
  }

  @Handles(CaseEscalatedV1)
  async onCaseEscalated({ tx, tenant, data }: InboxEvent<CaseEscalatedV1>): Promise<void> {
    await tx.query('UPDATE surveys_case_register SET escalated = true WHERE tenant = $1 AND case_id = $2', [
      tenant,
      data.caseId,
    ]);
  }

  @Handles(CaseReopenedV1)
  async onCaseReopened({ tx, tenant, data }: InboxEvent<CaseReopenedV1>): Promise<void> {
    await tx.query('UPDATE surveys_case_register SET reopenings = reopenings + 1 WHERE tenant = $1 AND case_id = $2', [
      tenant,
      data.caseId,
    ]);
  }

  /** Every resolved case is surveyed under the tenant's policy (domain §6; seed 000 §3.4). */
  @Handles(CaseResolvedV1)
  async onCaseResolved({ tx, data, origin }: InboxEvent<CaseResolvedV1>): Promise<void> {
    await this.surveys.onCaseResolved(tx, origin, data);
  }
}
