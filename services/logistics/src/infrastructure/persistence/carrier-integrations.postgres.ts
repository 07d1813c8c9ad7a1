import { Inject, Injectable } from '@nestjs/common';
import type { ServiceDatabase } from '@aftersales/eventstore';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import type { CarrierIntegration, CarrierIntegrations } from '../../application/carrier-integrations.port';

/** {@link CarrierIntegrations} in the service's database (table `carrier_integrations`). */
@Injectable()
export class PostgresCarrierIntegrations implements CarrierIntegrations {
  constructor(@Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase) {}

  async save(i: CarrierIntegration): Promise<boolean> {
    const { rowCount } = await this.database.pool.query(
      `INSERT INTO carrier_integrations (integration_id, tenant, carrier, secret) VALUES ($1, $2, $3, $4)
       ON CONFLICT (integration_id) DO UPDATE SET carrier = EXCLUDED.carrier, secret = EXCLUDED.secret, updated_at = now()
        WHERE carrier_integrations.tenant = EXCLUDED.tenant`,
      [i.integrationId, i.tenant, i.carrier, i.secret],
    );
    return (rowCount ?? 0) > 0;
  }

  async find(integrationId: string): Promise<CarrierIntegration | null> {
    const { rows } = await this.database.pool.query<{ tenant: string; carrier: string; secret: string }>(
      'SELECT tenant, carrier, secret FROM carrier_integrations WHERE integration_id = $1',
      [integrationId],
    );
    const row = rows[0];
    return row ? { integrationId, tenant: row.tenant, carrier: row.carrier, secret: row.secret } : null;
  }
}
