import { Controller } from '@nestjs/common';
import { CaseOpenedV1 } from '@aftersales/contracts';
import { Handles, type InboxEvent } from '@aftersales/messaging';

/**
 * Registers every opened case so it can be surveyed once resolved. Runs inside the inbox
 * transaction: a redelivered event is skipped before it gets here, so the counter is exact.
 */
@Controller()
export class CaseOpenedConsumer {
  @Handles(CaseOpenedV1)
  async onCaseOpened({ tx, tenant, data, id }: InboxEvent<CaseOpenedV1>): Promise<void> {
    await tx.query(
      `INSERT INTO surveys_case_register (tenant, case_id, channel, problem_type, order_id, customer_id, opened_at, source_event,
                                          priority)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (tenant, case_id) DO NOTHING`,
      [
        tenant,
        data.caseId,
        data.channel,
        data.problemType,
        data.orderId,
        data.customerId,
        data.openedAt,
        id,
        data.priority ?? 'normal',
      ],
    );
    await tx.query(
      `INSERT INTO surveys_channel_stats (tenant, channel, cases) VALUES ($1, $2, 1)
       ON CONFLICT (tenant, channel) DO UPDATE SET cases = surveys_channel_stats.cases + 1`,
      [tenant, data.channel],
    );
  }
}
