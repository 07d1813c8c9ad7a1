import type { CaseChannel, DesiredResolution, EvidenceKind, ProblemType } from '@aftersales/contracts';

/** Domain events of the Case aggregate (internal; mapped to contract events at the edge). */
export type CaseOpened = {
  readonly type: 'CaseOpened';
  readonly data: {
    readonly caseId: string;
    readonly tenant: string;
    readonly channel: CaseChannel;
    readonly orderId: string;
    readonly customerId: string;
    readonly problemType: ProblemType;
    readonly description: string;
    readonly desiredResolution?: DesiredResolution;
    readonly evidence: ReadonlyArray<{ readonly kind: EvidenceKind; readonly uri: string }>;
    readonly purchasedAt?: string;
    readonly openedAt: string;
    readonly openedBy: string;
  };
};

export type CaseEvent = CaseOpened;
