import type { ComplaintFacts, RegisterComplaint } from '../complaint-cluster.commands';
import { noComplaintFlags, type ComplaintFlags, type IncidentCategory } from '../incident.values';
import { actors, tenant } from './actors.fixture';

const noFlags: ComplaintFlags = noComplaintFlags;
let sequence = 0;

/**
 * A product-quality complaint about SKU `BAT-100`, batch `B-7`, from a new customer each time, without flags.
 *
 * @example
 * ```ts
 * aComplaint().forBatch('B-7').withInjury().build(clock.now());
 * ```
 */
export function aComplaint(): ComplaintBuilder {
  return new ComplaintBuilder();
}

export class ComplaintBuilder {
  private facts: {
    -readonly [K in keyof ComplaintFacts]: ComplaintFacts[K];
  };
  private receivedAtSet = false;

  constructor() {
    sequence += 1;
    this.facts = {
      complaintId: `C-${sequence}`,
      customerRef: `CUS-${sequence}`,
      category: 'product-quality',
      sku: 'BAT-100',
      batch: 'B-7',
      flags: noFlags,
      receivedAt: '',
    };
  }

  withId(complaintId: string): this {
    this.facts.complaintId = complaintId;
    return this;
  }

  fromCustomer(customerRef: string): this {
    this.facts.customerRef = customerRef;
    return this;
  }

  /** The after-sales case the complaint arose from. */
  fromCase(caseId: string): this {
    this.facts.caseId = caseId;
    return this;
  }

  forSku(sku: string | undefined): this {
    this.facts.sku = sku;
    return this;
  }

  forBatch(batch: string | undefined): this {
    this.facts.batch = batch;
    return this;
  }

  /** A complaint of a region-clustered category (service failure or special scenario). */
  about(category: Exclude<IncidentCategory, 'product-quality'>, region: string | undefined): this {
    this.facts = { ...this.facts, category, region, sku: undefined, batch: undefined };
    return this;
  }

  ofCategory(category: IncidentCategory): this {
    this.facts.category = category;
    return this;
  }

  withInjury(): this {
    return this.flag('injury');
  }

  withPropertyLoss(): this {
    return this.flag('propertyLoss');
  }

  withMediaExposure(): this {
    return this.flag('mediaExposure');
  }

  withLegalThreat(): this {
    return this.flag('legalThreat');
  }

  /** Many customers acting together over the same problem (seed 000 §3.5.3 「群體性事件」). */
  withGroupEvent(): this {
    return this.flag('groupEvent');
  }

  /** A major brand-reputation risk (seed 004 §3(二) level 1). */
  withBrandRisk(): this {
    return this.flag('brandRisk');
  }

  /** A service outage across a region (seed 004 §3(二) level 2). */
  withRegionalOutage(): this {
    return this.flag('regionalOutage');
  }

  /** A larger customer loss, e.g. a delay that made the customer miss an important event (seed 004 §3(二) level 2). */
  withMajorCustomerLoss(): this {
    return this.flag('majorCustomerLoss');
  }

  /** From a region (any category; product-quality clusters count the regions they reach). */
  fromRegion(region: string): this {
    this.facts.region = region;
    return this;
  }

  receivedAt(at: Date | string): this {
    this.facts.receivedAt = new Date(at).toISOString();
    this.receivedAtSet = true;
    return this;
  }

  /** The facts; received at `defaultReceivedAt` unless `receivedAt()` said otherwise. */
  build(defaultReceivedAt: Date = new Date('2026-11-25T08:00:00.000Z')): ComplaintFacts {
    const receivedAt = this.receivedAtSet ? this.facts.receivedAt : defaultReceivedAt.toISOString();
    const facts: ComplaintFacts = { ...this.facts, receivedAt };
    // Optional parts are absent rather than `undefined`, as they would be after JSON.
    return Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined)) as unknown as ComplaintFacts;
  }

  private flag(flag: keyof ComplaintFlags): this {
    this.facts.flags = { ...this.facts.flags, [flag]: true };
    return this;
  }
}

/** `RegisterComplaint` decided at `now`; the complaint was received at `now` unless the builder says otherwise. */
export function registerComplaint(complaint: ComplaintBuilder, now: Date): RegisterComplaint {
  return {
    type: 'RegisterComplaint',
    context: { tenant, actor: actors.clusterWatch, now },
    data: complaint.build(now),
  };
}
