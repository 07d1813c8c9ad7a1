import { Injectable } from '@nestjs/common';
import type { Queryable } from '@aftersales/eventstore';
import type { IncidentCustomerRepository } from '../../application/incident-customers.port';

/**
 * {@link IncidentCustomerRepository} on `surveys_incident_customers` (one row per attached complaint, written by the
 * `incident-follow-up` consumer; a customer with several complaints is listed once).
 */
@Injectable()
export class PostgresIncidentCustomerRepository implements IncidentCustomerRepository {
  async customersOf(tx: Queryable, tenant: string, incidentId: string): Promise<string[]> {
    const { rows } = await tx.query<{ customer_ref: string }>(
      `SELECT DISTINCT customer_ref FROM surveys_incident_customers WHERE tenant = $1 AND incident_id = $2 ORDER BY customer_ref`,
      [tenant, incidentId],
    );
    return rows.map((r) => r.customer_ref);
  }

  async casesOf(tx: Queryable, tenant: string, incidentId: string, customerRef?: string): Promise<string[]> {
    const { rows } = await tx.query<{ case_id: string }>(
      `SELECT case_id FROM surveys_incident_customers
        WHERE tenant = $1 AND incident_id = $2 AND case_id IS NOT NULL AND ($3::text IS NULL OR customer_ref = $3)
        GROUP BY case_id ORDER BY min(attached_at), case_id`,
      [tenant, incidentId, customerRef ?? null],
    );
    return rows.map((r) => r.case_id);
  }
}
