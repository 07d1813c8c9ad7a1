import type { ComplaintCategory } from '@aftersales/contracts';

/** Severity flags of a complaint; any of them sends it straight to senior management (domain §1, §5). */
export interface ComplaintFlags {
  readonly personalInjury: boolean;
  readonly propertyLoss: boolean;
  readonly mediaExposure: boolean;
  readonly legalThreat: boolean;
  /** A group event: many customers act together (seed 000 §3.5.3 「群體性事件」); absent on complaints without it. */
  readonly groupEvent?: boolean;
}

/** Customer contact details as stored: ciphertext sealed by the privacy vault, never plaintext. */
export interface SealedCustomerData {
  readonly ciphertext: string;
  readonly keyVersion: number;
}

/** Domain events of the Complaint aggregate (internal; mapped to contract events at the edge). */
export type ComplaintRegistered = {
  readonly type: 'ComplaintRegistered';
  readonly data: {
    readonly complaintId: string;
    readonly tenant: string;
    readonly caseId?: string;
    readonly customerId: string;
    readonly customerData?: SealedCustomerData;
    readonly orderId: string;
    readonly productSku?: string;
    readonly batch?: string;
    readonly region?: string;
    readonly category: ComplaintCategory;
    readonly description: string;
    readonly evidenceRefs: readonly string[];
    readonly flags: ComplaintFlags;
    readonly registeredAt: string;
    readonly registeredBy: string;
  };
};

export type ComplaintEvent = ComplaintRegistered;
