/** A carrier integration: who may post scans to `POST /carrier-events`, for which tenant and carrier. */
export interface CarrierIntegration {
  readonly integrationId: string;
  readonly tenant: string;
  readonly carrier: string;
  /** The shared HMAC secret the integration signs its batches with. */
  readonly secret: string;
}

/** DI token of the {@link CarrierIntegrations}. */
export const CARRIER_INTEGRATIONS = Symbol('CARRIER_INTEGRATIONS');

/** The tenant admins' carrier integrations. */
export interface CarrierIntegrations {
  /** Creates or replaces an integration of the tenant; false when the id belongs to another tenant. */
  save(integration: CarrierIntegration): Promise<boolean>;
  find(integrationId: string): Promise<CarrierIntegration | null>;
}
