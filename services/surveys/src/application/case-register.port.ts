import type { CasePriority, CaseChannel, ProblemType } from '@aftersales/contracts';
import type { Queryable } from '@aftersales/eventstore';

/** A case as surveys' register knows it from intake's events (opened, assigned, classified, escalated, reopened). */
export interface RegisteredCase {
  readonly caseId: string;
  readonly customerRef: string;
  readonly orderId: string;
  readonly problemType: ProblemType;
  readonly caseChannel: CaseChannel;
  readonly priority: CasePriority;
  readonly agentId: string | null;
  readonly team: string | null;
  readonly escalated: boolean;
  readonly reopenings: number;
}

/**
 * Port: surveys' register of intake's cases (`surveys_case_register`, written by the `case-register` consumer in its
 * inbox transaction). Adapter: `infrastructure/persistence/case-register.postgres.ts`.
 */
export interface CaseRegisterRepository {
  /** The case, read in `tx`; `null` when the register never saw it opened. */
  caseOf(tx: Queryable, tenant: string, caseId: string): Promise<RegisteredCase | null>;
  /** Records the resolution (time and the survey scheduled for it, if any), in `tx`. */
  recordResolution(tx: Queryable, tenant: string, caseId: string, resolvedAt: string): Promise<void>;
}

/** DI token of the {@link CaseRegisterRepository}. */
export const CASE_REGISTER_REPOSITORY = Symbol('CASE_REGISTER_REPOSITORY');
