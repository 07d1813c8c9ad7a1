import { Inject, Injectable } from '@nestjs/common';
import { handleCommand, PostgresEventStore, type ServiceDatabase, inTransaction } from '@aftersales/eventstore';
import { type Principal } from '@aftersales/platform-http';
import { CLOCK, SERVICE_DATABASE, type Clock } from '@aftersales/service-runtime';
import { PersonalDataVault, type AccessLogEntry } from '@aftersales/privacy';
import { customerDataDecider, type EraseCustomerData } from '../domain/customer-data.decider';
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
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
    @Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase,
    @Inject(PersonalDataVault) private readonly vault: PersonalDataVault,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Destroys the customer's data key and appends `CustomerDataErased` (actor, time, reason) in one
   * transaction. Events already stored keep their ciphertext, so the hash chains stay intact while the
   * personal data in them (and in every copy on Kafka or in backups) can no longer be read.
   */
  async erase(principal: Principal, customerId: string, reason: string, correlationId: string): Promise<ErasureResult> {
    return inTransaction(this.database.pool, async (tx) => {
      const erasure = await this.vault.erase(principal.tenant, customerId, principal.subject, tx);
      const command: EraseCustomerData = {
        type: 'EraseCustomerData',
        context: {
          tenant: principal.tenant,
          actor: { id: principal.subject, roles: principal.roles },
          // The event carries the time the key was destroyed.
          now: erasure.alreadyErased ? this.clock() : erasure.erasedAt,
        },
        data: { customerId, reason },
      };
      const result = await handleCommand(
        this.store,
        customerDataStream(principal.tenant, customerId),
        customerDataDecider,
        command,
        {
          metadata: {
            tenant: principal.tenant,
            actor: { id: principal.subject, roles: principal.roles },
            correlationId,
            reason,
          },
          tx,
        },
      );
      if (result.state.status !== 'erased') throw new Error(`customer ${customerId} is not erased after erasing it`);
      return { ...result.state.erasure, alreadyErased: result.newEvents.length === 0 };
    });
  }

  /** Who opened the customer's personal data, when, why and with what outcome; plus the erasure, if any. */
  async accessLog(
    principal: Principal,
    customerId: string,
  ): Promise<{ erasure: { erasedAt: Date; erasedBy: string } | null; entries: AccessLogEntry[] }> {
    const [status, entries] = await Promise.all([
      this.vault.status(principal.tenant, customerId),
      this.vault.accessLog(principal.tenant, customerId),
    ]);
    return {
      erasure: status.state === 'erased' ? { erasedAt: status.erasedAt, erasedBy: status.erasedBy } : null,
      entries,
    };
  }
}
