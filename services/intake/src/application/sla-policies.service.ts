import { Inject, Injectable } from '@nestjs/common';
import { Commands, fold, type CommandOrigin, type Queryable, type StoredEvent } from '@aftersales/eventstore';
import {
  slaPolicyDecider,
  slaPolicyOf,
  type SlaPolicy,
  type SlaPolicySet,
  type SlaPolicyState,
} from '../domain/sla-policy';

/** One stream per tenant (URI-encoded: tenant ids are free text). */
export const slaPolicyStream = (tenant: string) => `sla-policy-${encodeURIComponent(tenant)}`;

/** A tenant's SLA policy as read: the policy in force and who set it when (`null` while on the defaults). */
export interface TenantSlaPolicy {
  readonly policy: SlaPolicy;
  readonly updatedAt: string | null;
  readonly updatedBy: string | null;
}

function settingsOf(state: SlaPolicyState): TenantSlaPolicy {
  return state.status === 'set'
    ? { policy: state.policy, updatedAt: state.at, updatedBy: state.by }
    : { policy: slaPolicyOf(state), updatedAt: null, updatedBy: null };
}

/**
 * Per-tenant SLA policy (business calendar, targets, warning share, escalation ladder and webhook), event-sourced:
 * every change is an `SlaPolicySet` in the tenant's stream, attributable to its actor. Read on every case command (the
 * Case decider runs the clocks with it) and by the timers, so a change applies at once in every instance: to clocks
 * started from then on, and to the due times of running clocks after their next pause (recorded facts stay).
 */
@Injectable()
export class SlaPoliciesService {
  // Explicit token: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
  constructor(@Inject(Commands) private readonly commands: Commands) {}

  /** The tenant's policy; pass `tx` to read inside a caller's transaction. */
  async forTenant(tenant: string, tx?: Queryable): Promise<SlaPolicy> {
    return (await this.settings(tenant, tx)).policy;
  }

  async settings(tenant: string, tx?: Queryable): Promise<TenantSlaPolicy> {
    const stored = await this.commands.store.readStream(slaPolicyStream(tenant), 0, tx);
    return this.settingsFrom(stored);
  }

  /** The settings the tenant's policy stream holds, as read with other streams (see `CaseCommandRunner.policiesFor`). */
  settingsFrom(stored: readonly StoredEvent[]): TenantSlaPolicy {
    return settingsOf(fold<SlaPolicyState, SlaPolicySet>(slaPolicyDecider, stored));
  }

  /**
   * Replaces the tenant's policy (a no-op when it is already that).
   *
   * @throws `InvalidSlaPolicy` (422) for a policy the rules refuse (the HTTP API answers 400 before).
   */
  async set(origin: CommandOrigin, policy: SlaPolicy): Promise<TenantSlaPolicy> {
    const result = await this.commands.handle(slaPolicyDecider, slaPolicyStream(origin.tenant), origin, {
      type: 'SetSlaPolicy',
      data: policy,
    });
    return settingsOf(result.state);
  }
}
