import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';

/**
 * Category of a complaint, the incident categories of the emergency guide: product quality (battery
 * swelling, fridge not cooling), service failure (delay not notified, rude agent, technician no-show),
 * special scenario (storm stops deliveries, website outage, holiday staff shortage).
 *
 * Part of a published contract: values may be added, never removed or renamed.
 */
export const ComplaintCategories = ['product-quality', 'service-failure', 'special-scenario'] as const;
/** Category of a complaint. */
export type ComplaintCategory = (typeof ComplaintCategories)[number];

/**
 * The Kafka key of a complaint: what it is about. Product-quality complaints are keyed by tenant, product and
 * production batch (`acme|sku:PB-20000|batch:B-2025-07`, or `acme|sku:PB-20000` when the batch is unknown), the other
 * categories by tenant and region (`acme|region:EAST-CHINA`); parts trimmed and upper-cased. A complaint without the
 * part its category needs is keyed by its own id. These are the units incidents are detected on, so each unit's
 * complaints are ordered on one partition while different batches and regions spread over all of them.
 *
 * @example
 * ```ts
 * complaintPartitionKey({ tenantId: 'acme', complaintId: '2a7c…', category: 'product-quality', productSku: 'pb-20000 ', batch: 'b-7' });
 * // 'acme|sku:PB-20000|batch:B-7'
 * ```
 */
export function complaintPartitionKey(complaint: {
  readonly tenantId: string;
  readonly complaintId: string;
  readonly category: ComplaintCategory;
  readonly productSku?: string | undefined;
  readonly batch?: string | undefined;
  readonly region?: string | undefined;
}): string {
  const part = (value: string | undefined) => value?.trim().toUpperCase() || undefined;
  const sku = part(complaint.productSku);
  const batch = part(complaint.batch);
  const about =
    complaint.category === 'product-quality'
      ? sku && (batch ? `sku:${sku}|batch:${batch}` : `sku:${sku}`)
      : part(complaint.region) && `region:${part(complaint.region)}`;
  return about ? `${complaint.tenantId}|${about}` : `${complaint.tenantId}|complaint:${complaint.complaintId}`;
}

/**
 * `aftersales.intake.complaint-registered.v1` — a customer complaint was registered. Published on
 * `aftersales.intake.events`, keyed by what it is about ({@link complaintPartitionKey}: the product batch, or the
 * region), so complaints about one product batch or region are ordered on one partition. The incidents service clusters
 * complaints by product/batch/region and raises incidents from them.
 *
 * Every complaint is registered (seed 000 §3.5.1), whether or not it names a product SKU or a region: `productSku`,
 * `batch` and `region` are optional in every category, as the schema has always declared them (see
 * docs/adr/0011-every-complaint-is-taken-on.md). A complaint without what its category is clustered on is keyed by its
 * own id and is a single complaint to incidents.
 *
 * Personal data never appears in plaintext: `customerData` is ciphertext sealed under a per-customer key
 * that only intake holds. It is opaque to every consumer and becomes unreadable for good when the
 * customer's data is erased (crypto-shredding); consumers must not try to decrypt or copy it elsewhere.
 *
 * @example
 * ```ts
 * import { ComplaintRegisteredV1 } from '@aftersales/contracts';
 * const event: ComplaintRegisteredV1 = {
 *   complaintId: '2a7c9e1f-5b3d-4f6a-9c8e-7d1b2a3c4e5f',
 *   tenantId: 'acme',
 *   customerId: 'cus_7Hq2Lm9x',
 *   customerData: { ciphertext: 'q83vEjRWeJq83vEj…', keyVersion: 1 },
 *   orderId: 'ORD-2025-000123',
 *   productSku: 'PB-20000',
 *   batch: 'B-2025-07',
 *   category: 'product-quality',
 *   description: 'The power bank swelled while charging.',
 *   evidenceRefs: ['https://media.example.com/evidence/8c1f.jpg'],
 *   flags: { personalInjury: false, propertyLoss: true, mediaExposure: false, legalThreat: false },
 *   registeredAt: '2025-03-14T09:26:53.589Z',
 * };
 * ```
 */
export const ComplaintRegisteredV1 = defineEvent({
  service: 'intake',
  name: 'complaint-registered',
  version: 1,
  summary: 'A customer complaint was registered (personal data encrypted, never in plaintext).',
  subject: 'complaintId',
  partitionKey: {
    description:
      'What the complaint is about: `<tenantId>|sku:<PRODUCT SKU>|batch:<BATCH>` for product-quality complaints (`<tenantId>|sku:<PRODUCT SKU>` when the batch is unknown), `<tenantId>|region:<REGION>` for the other categories (parts trimmed and upper-cased; `<tenantId>|complaint:<complaintId>` when the part is missing). Complaints about one product batch or region are ordered on one partition, so a consumer correlating them (incident detection) sees them in order without coordinating across partitions, while different batches spread over the partitions; a complaint keeps its key for life.',
    of: (complaint): string => complaintPartitionKey(complaint),
  },
  schema: Type.Object(
    {
      complaintId: Type.String({
        format: 'uuid',
        description:
          'Complaint (aggregate) id; also ce_subject. The Kafka key is the product or region (see bindings).',
      }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant (merchant) the complaint belongs to.' }),
      caseId: Type.Optional(
        Type.String({ format: 'uuid', description: 'After-sales case the complaint arose from, when known.' }),
      ),
      customerId: Type.String({
        minLength: 1,
        description: 'Opaque customer reference. Never personal data in plaintext (no name, e-mail, phone).',
      }),
      customerData: Type.Optional(
        Type.Object(
          {
            ciphertext: Type.String({
              minLength: 1,
              contentEncoding: 'base64',
              description:
                'base64 of iv (12 bytes) | GCM tag (16 bytes) | AES-256-GCM ciphertext of the customer contact details. Opaque: only intake holds the key.',
            }),
            keyVersion: Type.Integer({ minimum: 1, description: "Version of the customer's data key used." }),
          },
          {
            description:
              "The customer's contact details (name, phone, e-mail, address), encrypted under a per-customer key held by intake. Absent when none were given. Unreadable for good once the customer's data is erased.",
          },
        ),
      ),
      orderId: Type.String({ minLength: 1, description: 'Order the complaint is about.' }),
      productSku: Type.Optional(
        Type.String({
          minLength: 1,
          description:
            'Product SKU, when the customer or channel gave it (any category). Every complaint is taken on: a product-quality complaint may come without one, and is then about no known product.',
        }),
      ),
      batch: Type.Optional(Type.String({ minLength: 1, description: 'Production batch, when known.' })),
      region: Type.Optional(
        Type.String({
          minLength: 1,
          description:
            'Region affected, when known (any category). Every complaint is taken on: a service-failure or special-scenario complaint may come without one.',
        }),
      ),
      category: StringEnum(ComplaintCategories, { description: 'Complaint category (incident categories).' }),
      description: Type.String({
        minLength: 1,
        maxLength: 4000,
        description: 'What the customer complains about, as entered by the customer or agent.',
      }),
      evidenceRefs: Type.Array(Type.String({ format: 'uri', description: 'Where a piece of evidence is stored.' }), {
        default: [],
        description: 'Evidence (photos, videos, documents) attached to the complaint; empty when none.',
      }),
      flags: Type.Object(
        {
          personalInjury: Type.Boolean({ description: 'Someone was hurt.' }),
          propertyLoss: Type.Boolean({ description: 'Major property loss.' }),
          mediaExposure: Type.Boolean({ description: 'Media or social-media exposure risk.' }),
          legalThreat: Type.Boolean({ description: 'The customer threatens or started legal action.' }),
          groupEvent: Type.Optional(
            Type.Boolean({
              description:
                'A group event: many customers act together over the same problem (seed 000 §3.5.3 「群體性事件」). Absent: false.',
            }),
          ),
          brandRisk: Type.Optional(
            Type.Boolean({
              description: 'A major brand-reputation risk (seed 004 §3(二), level 1). Absent: false.',
            }),
          ),
          regionalOutage: Type.Optional(
            Type.Boolean({
              description:
                'The service is out across a region (seed 004 §3(二) 「區域內服務中斷」, level 2). Absent: false.',
            }),
          ),
          majorCustomerLoss: Type.Optional(
            Type.Boolean({
              description:
                'A larger customer loss, e.g. a delay that made the customer miss an important event (seed 004 §3(二), level 2). Absent: false.',
            }),
          ),
        },
        {
          description:
            "Severity flags; each forces the level of the tenant's incident policy (injury, property loss, media exposure, legal threat, group event and brand risk: level 1; regional outage and larger customer loss: level 2).",
        },
      ),
      registeredAt: Type.String({ format: 'date-time', description: 'When the complaint was registered.' }),
    },
    {
      $id: 'aftersales.intake.complaint-registered.v1',
      title: 'ComplaintRegistered v1',
      description: 'A customer complaint was registered. Personal data only as ciphertext (crypto-shredding).',
      examples: [
        {
          complaintId: '2a7c9e1f-5b3d-4f6a-9c8e-7d1b2a3c4e5f',
          tenantId: 'acme',
          caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
          customerId: 'cus_7Hq2Lm9x',
          customerData: { ciphertext: 'q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJ', keyVersion: 1 },
          orderId: 'ORD-2025-000123',
          productSku: 'PB-20000',
          batch: 'B-2025-07',
          region: 'east-china',
          category: 'product-quality',
          description: 'The power bank swelled while charging.',
          evidenceRefs: ['https://media.example.com/evidence/8c1f.jpg'],
          flags: { personalInjury: false, propertyLoss: true, mediaExposure: false, legalThreat: false },
          registeredAt: '2025-03-14T09:26:53.589Z',
        },
      ],
    },
  ),
});

/** Payload of `aftersales.intake.complaint-registered.v1`. */
export type ComplaintRegisteredV1 = EventData<typeof ComplaintRegisteredV1>;
