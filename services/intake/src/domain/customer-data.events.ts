/**
 * Domain events of the CustomerData aggregate: one per (tenant, customer), the audit trail of what happened to
 * a customer's personal data. Internal; not published (see libs/privacy/README.md).
 */
export type CustomerDataErased = {
  readonly type: 'CustomerDataErased';
  readonly data: {
    readonly tenant: string;
    readonly customerId: string;
    /** Why, as the person who erased it stated (a request reference, not personal data). */
    readonly reason: string;
    readonly erasedAt: string;
    readonly erasedBy: string;
  };
};

export type CustomerDataEvent = CustomerDataErased;
