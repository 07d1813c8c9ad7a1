import type { PoolClient } from 'pg';
import type { ReturnKind } from '@aftersales/contracts';
import type { ReturnStatus } from '../domain/return-request.decider';

/** A line of the returns list: enough to find a return; the return itself is read from its stream. */
export interface ReturnSummary {
  readonly returnId: string;
  readonly caseId: string | null;
  readonly orderId: string;
  readonly kind: ReturnKind;
  readonly status: ReturnStatus;
  readonly requestedAt: string;
}

/** DI token of the {@link ReturnIndex}. */
export const RETURN_INDEX = Symbol('RETURN_INDEX');

/** The list of a tenant's returns by status and case (`GET /returns`), kept in each command's transaction. */
export interface ReturnIndex {
  /** Records where a return stands, in the transaction `tx` of the command that moved it. */
  record(tx: PoolClient, tenant: string, summary: ReturnSummary): Promise<void>;
  /** The tenant's returns, newest first, filtered by status and case when given. */
  list(
    tenant: string,
    filter: { readonly status?: ReturnStatus; readonly caseId?: string; readonly limit: number },
  ): Promise<ReturnSummary[]>;
}
