import type { Queryable } from '@aftersales/eventstore';

/**
 * Port: whom to survey for an incident, as remembered from the complaints attached to it (`ComplaintAttachedV1`).
 * Adapter: `infrastructure/persistence/incident-customers.postgres.ts`.
 */
export interface IncidentCustomerRepository {
  /** The incident's distinct customers, in a stable order (by reference), read in `tx`. */
  customersOf(tx: Queryable, tenant: string, incidentId: string): Promise<string[]>;
  /**
   * The distinct after-sales cases the incident's complaints arose from (`ComplaintAttachedV1.caseId`), of one customer
   * when `customerRef` is given, in a stable order (by attachment), read in `tx`.
   */
  casesOf(tx: Queryable, tenant: string, incidentId: string, customerRef?: string): Promise<string[]>;
}

/** DI token of the {@link IncidentCustomerRepository}. */
export const INCIDENT_CUSTOMER_REPOSITORY = Symbol('INCIDENT_CUSTOMER_REPOSITORY');
