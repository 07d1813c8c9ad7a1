import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { ServiceDatabase } from '@aftersales/eventstore';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import type { CaseRegister } from '../../application/case-register.port';
import type { CaseFacts } from '../../domain/shipment.decider';

/** {@link CaseRegister} in the service's database (table `logistics_cases`). */
@Injectable()
export class PostgresCaseRegister implements CaseRegister {
  constructor(@Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase) {}

  async record(tx: PoolClient, tenant: string, facts: CaseFacts, sourceEvent: string): Promise<void> {
    await tx.query(
      `INSERT INTO logistics_cases (tenant, case_id, customer_id, order_id, source_event)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant, case_id) DO NOTHING`,
      [tenant, facts.caseId, facts.customerId, facts.orderId, sourceEvent],
    );
  }

  async find(tenant: string, caseId: string): Promise<CaseFacts | null> {
    const { rows } = await this.database.pool.query<{ customer_id: string; order_id: string }>(
      'SELECT customer_id, order_id FROM logistics_cases WHERE tenant = $1 AND case_id = $2',
      [tenant, caseId],
    );
    const row = rows[0];
    return row ? { caseId, customerId: row.customer_id, orderId: row.order_id } : null;
  }
}
