import { Injectable } from '@nestjs/common';
import type { CaseChannel, CasePriority, ProblemType } from '@aftersales/contracts';
import type { Queryable } from '@aftersales/eventstore';
import type { CaseRegisterRepository, RegisteredCase } from '../../application/case-register.port';

/** {@link CaseRegisterRepository} on `surveys_case_register` (written by the `case-register` consumer). */
@Injectable()
export class PostgresCaseRegister implements CaseRegisterRepository {
  async caseOf(tx: Queryable, tenant: string, caseId: string): Promise<RegisteredCase | null> {
    const { rows } = await tx.query<{
      case_id: string;
      customer_id: string;
      order_id: string;
      problem_type: ProblemType;
      channel: CaseChannel;
      priority: CasePriority;
      agent_id: string | null;
      team: string | null;
      escalated: boolean;
      reopenings: number;
    }>(
      `SELECT case_id, customer_id, order_id, problem_type, channel, priority, agent_id, team, escalated, reopenings
         FROM surveys_case_register WHERE tenant = $1 AND case_id = $2`,
      [tenant, caseId],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      caseId: row.case_id,
      customerRef: row.customer_id,
      orderId: row.order_id,
      problemType: row.problem_type,
      caseChannel: row.channel,
      priority: row.priority,
      agentId: row.agent_id,
      team: row.team,
      escalated: row.escalated,
      reopenings: row.reopenings,
    };
  }

  async recordResolution(tx: Queryable, tenant: string, caseId: string, resolvedAt: string): Promise<void> {
    await tx.query('UPDATE surveys_case_register SET resolved_at = $3 WHERE tenant = $1 AND case_id = $2', [
      tenant,
      caseId,
      resolvedAt,
    ]);
  }
}
