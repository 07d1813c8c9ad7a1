import { Inject, Injectable } from '@nestjs/common';
import { Commands, inTransaction, type CommandOrigin, type ServiceDatabase } from '@aftersales/eventstore';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import { PersonalDataVault, type AccessLogEntry } from '@aftersales/privacy';
import { customerDataDecider } from '../domain/customer-data.decider';
import type { CustomerDataErased } from '../domain/customer-data.events';

/**
 * One stream per (tenant, customer): customer references are only unique within a tenant, so the tenant is
 * part of the stream id (both parts URI-encoded, which keeps the id unambiguous).
 */
export const customerDataStream = (tenant: string, customerId: string) =>
  `customer-${encodeURIComponent(tenant)}/${encodeURIComponent(customerId)}`;

export interface ErasureResult extends Readonly<CustomerDataErased['data']> {
  /** True when the customer had been erased before: nothing changed, the first erasure is returned. */
  readonly alreadyErased: boolean;
}

/** Erasure (crypto-shredding) of a customer's personal data, and the audit of who read it. */
@Injectable()
export class CustomerDataService {
  constructor(
    // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
    @Inject(Commands) private readonly commands: Commands,
    @Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase,
    @Inject(PersonalDataVault) private readonly vault: PersonalDataVault,
  ) {}

  /**
   * Destroys the customer's data key and appends `CustomerDataErased` (actor, time, reason) in one
   * transaction. Events already stored keep their ciphertext, so the hash chains stay intact while the
   * personal data in them (and in every copy on Kafka or in backups) can no longer be read.
   */
  async erase(origin: CommandOrigin, customerId: string, reason: string): Promise<ErasureResult> {
    return inTransaction(this.database.pool, async (tx) => {
      const erasure = await this.vault.erase(origin.tenant, customerId, origin.actor.id, tx);
      const result = await this.commands.handle(
        customerDataDecider,
        customerDataStream(origin.tenant, customerId),
        { ...origin, reason },
        { type: 'EraseCustomerData', data: { customerId, reason } },
        // The event carries the time the key was destroyed.
        { tx, ...(erasure.alreadyErased ? {} : { now: erasure.erasedAt }) },
      );
      if (result.state.status !== 'erased') throw new Error(`customer ${customerId} is not erased after erasing it`);
      return { ...result.state.erasure, alreadyErased: result.newEvents.length === 0 };
    });
  }

  /** Who opened the customer's personal data, when, why and with what outcome; plus the erasure, if any. */
  async accessLog(
    tenant: string,
    customerId: string,
  ): Promise<{ erasure: { erasedAt: Date; erasedBy: string } | null; entries: AccessLogEntry[] }> {
    const [status, entries] = await Promise.all([
      this.vault.status(tenant, customerId),
      this.vault.accessLog(tenant, customerId),
    ]);
    return {
      erasure: status.state === 'erased' ? { erasedAt: status.erasedAt, erasedBy: status.erasedBy } : null,
      entries,
    };
  }
}
