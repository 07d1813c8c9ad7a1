import type { PoolClient } from 'pg';
import type { CaseFacts } from '../domain/shipment.decider';

/** DI token of the {@link CaseRegister}. */
export const CASE_REGISTER = Symbol('CASE_REGISTER');

/** The cases intake opened, as this service registered them (consumer `case-register`). */
export interface CaseRegister {
  /** Registers a case in the inbox transaction `tx`; a case registered before is left as it is. */
  record(tx: PoolClient, tenant: string, facts: CaseFacts, sourceEvent: string): Promise<void>;
  /** The case of the tenant, or `null` when it has not reached this service (or is another tenant's). */
  find(tenant: string, caseId: string): Promise<CaseFacts | null>;
}
