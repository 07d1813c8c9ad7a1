import { randomUUID } from 'node:crypto';
import { ComplaintRegisteredV1, SatisfactionMeasuredV1, Topics } from '@aftersales/contracts';
import { ContractPublisher, contractMessage, WebhookReceiver } from '@aftersales/test-kit';
import type { PageRequest } from '../application/pager';

/**
 * Test support for the incidents service's integration tests, on the test kit: the pager webhook, intake's and
 * surveys' events, and a complaint builder. Tests only.
 */

/** A pager webhook on a free local port (the test kit's receiver, typed by the page it receives). */
export const startPagerReceiver = () => WebhookReceiver.start<PageRequest>();

/**
 * Plays intake and surveys for the incidents service: their contract events, published as their outbox relays do
 * (the test kit's `ContractPublisher`: same CloudEvents headers, same Kafka keys).
 */
export class UpstreamProducer {
  private publisher: ContractPublisher | null = null;

  async start(): Promise<void> {
    this.publisher = await ContractPublisher.connect();
  }

  async stop(): Promise<void> {
    await this.publisher?.close();
  }

  /** Publishes complaints to `aftersales.intake.events` with the `tenant` header; returns the CloudEvent ids. */
  complaints(tenant: string, complaints: ReadonlyArray<ComplaintRegisteredV1>): Promise<string[]> {
    return this.started().publishAll(ComplaintRegisteredV1, complaints, { tenant });
  }

  /** Publishes a value as it is (e.g. one that breaks the contract) as a complaint of `tenant`; returns its id. */
  async raw(tenant: string, key: string, value: string): Promise<string> {
    const message = contractMessage(ComplaintRegisteredV1, JSON.parse(value) as ComplaintRegisteredV1, {
      tenant,
      skipValidation: true,
    });
    await this.started().raw(Topics.intake, [{ ...message, key, value }]);
    return message.headers.ce_id as string;
  }

  /** Publishes a satisfaction measurement to `aftersales.surveys.events`; returns its id. */
  satisfaction(tenant: string, measured: SatisfactionMeasuredV1): Promise<string> {
    return this.started().publish(SatisfactionMeasuredV1, measured, { tenant });
  }

  private started(): ContractPublisher {
    if (!this.publisher) throw new Error('UpstreamProducer not started');
    return this.publisher;
  }
}

/** A complaint as intake publishes it, with defaults: a product-quality complaint about battery batch B-7. */
export function aComplaint(
  tenant: string,
  registeredAt: Date,
  overrides: Partial<ComplaintRegisteredV1> = {},
): ComplaintRegisteredV1 {
  return {
    complaintId: randomUUID(),
    tenantId: tenant,
    customerId: `cus-${randomUUID().slice(0, 8)}`,
    orderId: `ORD-${randomUUID().slice(0, 6)}`,
    productSku: 'PB-20000',
    batch: 'B-7',
    category: 'product-quality',
    description: 'The power bank swelled while charging',
    evidenceRefs: [],
    flags: { personalInjury: false, propertyLoss: false, mediaExposure: false, legalThreat: false },
    registeredAt: registeredAt.toISOString(),
    ...overrides,
  };
}
