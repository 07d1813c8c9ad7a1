import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { ReturnKind } from '@aftersales/contracts';
import type { ServiceDatabase } from '@aftersales/eventstore';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import type { ReturnIndex, ReturnSummary } from '../../application/return-index.port';
import type { ReturnStatus } from '../../domain/return-request.decider';

interface Row {
  return_id: string;
  case_id: string | null;
  order_id: string;
  kind: ReturnKind;
  status: ReturnStatus;
  requested_at: Date;
}

/** {@link ReturnIndex} in the service's database (table `returns_index`). */
@Injectable()
export class PostgresReturnIndex implements ReturnIndex {
  constructor(@Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase) {}

  async record(tx: PoolClient, tenant: string, s: ReturnSummary): Promise<void> {
    await tx.query(
      `INSERT INTO returns_index (tenant, return_id, case_id, order_id, kind, status, requested_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (tenant, return_id) DO UPDATE SET status = EXCLUDED.status`,
      [tenant, s.returnId, s.caseId, s.orderId, s.kind, s.status, s.requestedAt],
    );
  }

  async list(
    tenant: string,
    filter: { status?: ReturnStatus; caseId?: string; limit: number },
  ): Promise<ReturnSummary[]> {
    const { rows } = await this.database.pool.query<Row>(
      `SELECT return_id, case_id, order_id, kind, status, requested_at FROM returns_index
        WHERE tenant = $1 AND ($2::text IS NULL OR status = $2) AND ($3::uuid IS NULL OR case_id = $3)
        ORDER BY requested_at DESC, return_id LIMIT $4`,
      [tenant, filter.status ?? null, filter.caseId ?? null, filter.limit],
    );
    return rows.map((r) => ({
      returnId: r.return_id,
      caseId: r.case_id,
      orderId: r.order_id,
      kind: r.kind,
      status: r.status,
      requestedAt: r.requested_at.toISOString(),
    }));
  }
}
