import { Inject, Injectable } from '@nestjs/common';
import { Commands, fold, type CommandOrigin, type Queryable, type StoredEvent } from '@aftersales/eventstore';
import {
  casePolicyDecider,
  casePolicyOf,
  type CasePolicy,
  type CasePolicySet,
  type CasePolicyState,
} from '../domain/case-policy';

/** One stream per tenant (URI-encoded: tenant ids are free text). */
export const casePolicyStream = (tenant: string) => `case-policy-${encodeURIComponent(tenant)}`;

/** A tenant's case policy as read: the policy in force and who set it when (`null` while on the defaults). */
export interface TenantCasePolicy {
  readonly policy: CasePolicy;
  readonly updatedAt: string | null;
  readonly updatedBy: string | null;
}

function settingsOf(state: CasePolicyState): TenantCasePolicy {
  return state.status === 'set'
    ? { policy: state.policy, updatedAt: state.at, updatedBy: state.by }
    : { policy: casePolicyOf(state), updatedAt: null, updatedBy: null };
}

/**
 * Per-tenant case policy (reopen window, how long an identity verification holds), event-sourced: every change is a
 * `CasePolicySet` in the tenant's stream, attributable to its actor. Read on every case command that needs it, so a
 * change applies at once in every instance.
 */
@Injectable()
export class CasePoliciesService {
  // Explicit token: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
  constructor(@Inject(Commands) private readonly commands: Commands) {}

  /** The tenant's policy; pass `tx` to read inside a caller's transaction. */
  async forTenant(tenant: string, tx?: Queryable): Promise<CasePolicy> {
    return (await this.settings(tenant, tx)).policy;
  }

  async settings(tenant: string, tx?: Queryable): Promise<TenantCasePolicy> {
    const stored = await this.commands.store.readStream(casePolicyStream(tenant), 0, tx);
    return this.settingsFrom(stored);
  }

  /** The settings the tenant's policy stream holds, as read with other streams (see `CaseCommandRunner.policiesFor`). */
  settingsFrom(stored: readonly StoredEvent[]): TenantCasePolicy {
    return settingsOf(fold<CasePolicyState, CasePolicySet>(casePolicyDecider, stored));
  }

  /**
   * Replaces the tenant's policy (a no-op when it is already that).
   *
   * @throws `InvalidCasePolicy` (422) for a setting out of its bounds.
   */
  async set(origin: CommandOrigin, policy: CasePolicy): Promise<TenantCasePolicy> {
    const result = await this.commands.handle(casePolicyDecider, casePolicyStream(origin.tenant), origin, {
      type: 'SetCasePolicy',
      data: policy,
    });
    return settingsOf(result.state);
  }
}
