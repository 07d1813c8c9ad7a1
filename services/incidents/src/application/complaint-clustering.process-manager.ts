import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { ComplaintCategory, ComplaintRegisteredV1, RegionalAlarmRaisedV1 } from '@aftersales/contracts';
import { DomainError } from '@aftersales/domain';
import { Commands, deterministicUuid, StreamSession, type CommandOrigin } from '@aftersales/eventstore';
import type { Logger } from '@aftersales/observability';
import {
  clusteringOutcome,
  clusterIdOf,
  complaintTakingPhases,
  createComplaintClusterDecider,
  initialIncidentState,
  isInPhase,
  noComplaintFlags,
  type ClusteringOutcome,
  type ComplaintFacts,
  type ComplaintToAttach,
  type IncidentCategory,
  type IncidentState,
} from '../domain';
import { CLUSTER_LINK_REPOSITORY, type ClusterLinkRepository } from './cluster-links.port';
import { IncidentCommandRunner } from './incident-command-runner';
import { INCIDENTS_CONFIG, INCIDENTS_LOGGER, type IncidentsConfig } from './incidents.config';
import { clusterStream } from './incident-streams';
import { TenantPolicies } from './tenant-policies';

/** The actor of everything the clustering process manager decides. */
export const CLUSTER_WATCH = { id: 'incidents.cluster-watch', roles: ['system'] } as const;

/** Contract category → domain category. Typed as a total map: a category added to the contract fails to compile here. */
const categories: { readonly [C in ComplaintCategory]: IncidentCategory } = {
  'product-quality': 'product-quality',
  'service-failure': 'service-failure',
  'special-scenario': 'special-scenario',
};

interface Step {
  readonly tx: PoolClient;
  /** The inbox transaction's session: a chunk of complaints reads each cluster and incident stream once. */
  readonly session: StreamSession;
  readonly tenant: string;
  readonly clusterId: string;
  /** The complaint event's origin, acting as the cluster watch: every command it causes is keyed by the event's id. */
  readonly origin: CommandOrigin;
  readonly now: Date;
}

interface CurrentIncident {
  readonly incidentId: string;
  readonly state: IncidentState;
}

/**
 * The clustering process manager (domain §5, detection): every complaint intake registers is added to its cluster
 * (tenant, category, product/batch/region); a crossing opens an incident for a new episode or upgrades the cluster's
 * incident; every complaint is attached to its cluster's open incident (the rule: the domain's `clusteringOutcome`;
 * this carries it out). All of it runs in the inbox transaction, so a redelivered complaint changes nothing and a
 * failure leaves nothing half done.
 */
@Injectable()
export class ComplaintClusteringProcessManager {
  /**
   * Per inbox transaction (its session), each cluster's latest incident link: read once per chunk, then kept by
   * {@link ComplaintClusteringProcessManager.openIncident}. Only this process manager writes links inside a chunk
   * (merges rewrite them in their own HTTP transactions, and merged incidents are followed through their state).
   */
  private readonly links = new WeakMap<StreamSession, Map<string, string | null>>();

  constructor(
    // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
    @Inject(Commands) private readonly commands: Commands,
    @Inject(TenantPolicies) private readonly policies: TenantPolicies,
    @Inject(IncidentCommandRunner) private readonly runner: IncidentCommandRunner,
    @Inject(CLUSTER_LINK_REPOSITORY) private readonly clusterLinks: ClusterLinkRepository,
    @Inject(INCIDENTS_CONFIG) private readonly config: IncidentsConfig,
    @Inject(INCIDENTS_LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Handles one `ComplaintRegistered` inside the inbox transaction `tx` (with its stream `session`). A complaint that
   * can never be clustered is refused with a `DomainError` (the inbox dead-letters it with the rule); concurrency
   * conflicts propagate, and the inbox retries them.
   */
  async onComplaintRegistered(
    tx: PoolClient,
    session: StreamSession,
    origin: CommandOrigin,
    complaint: ComplaintRegisteredV1,
  ): Promise<void> {
    const now = this.commands.now();
    await this.cluster(tx, session, origin, complaintFactsOf(complaint, now, this.config.clockSkewToleranceMs), now);
  }

  /**
   * Handles one logistics `RegionalAlarmRaised` inside the inbox transaction: an internal alarm (seed 004 §4(一)1
   * 「內部報警:物流追蹤系統(提示訂單延遲)」) taken as a special-scenario signal about its region, clustered with the
   * region's other special-scenario complaints and alarms, flagged as a regional service outage.
   */
  async onRegionalAlarmRaised(
    tx: PoolClient,
    session: StreamSession,
    origin: CommandOrigin,
    alarm: RegionalAlarmRaisedV1,
  ): Promise<void> {
    const now = this.commands.now();
    await this.cluster(tx, session, origin, regionalAlarmFactsOf(alarm, now, this.config.clockSkewToleranceMs), now);
  }

  private async cluster(
    tx: PoolClient,
    session: StreamSession,
    origin: CommandOrigin,
    facts: ComplaintFacts,
    now: Date,
  ): Promise<void> {
    const { tenant } = origin;
    const clusterId = clusterIdOf(tenant, facts);
    const step: Step = { tx, session, tenant, clusterId, origin: { ...origin, actor: CLUSTER_WATCH }, now };
    const policy = await this.policies.forTenant(tenant, tx);
    const decider = createComplaintClusterDecider(policy);
    const before = await this.currentIncident(step);
    if (before?.state.status === 'closed') {
      // The cluster's incident closed: its episode ends, and this complaint starts counting anew (a new incident).
      await this.commands.handle(
        decider,
        clusterStream(clusterId),
        step.origin,
        {
          type: 'EndClusterEpisode',
          data: { incidentId: before.incidentId, reason: `incident ${before.incidentId} closed` },
        },
        { tx, session, now },
      );
    }
    const clustered = await this.commands.handle(
      decider,
      clusterStream(clusterId),
      step.origin,
      { type: 'RegisterComplaint', data: facts },
      { tx, session, now },
    );
    // Already clustered (the same complaint published twice): its effects happened the first time.
    if (clustered.duplicate || clustered.newEvents.length === 0) return;

    const current = await this.currentIncident(step);
    // The hand-over rule itself is the domain's (open, upgrade, attach): this only carries it out.
    const outcome = clusteringOutcome(clustered.newEvents, clustered.state, current?.state ?? initialIncidentState());
    if (outcome.open) {
      await this.openIncident(step, outcome.open, clustered.nextVersion, outcome.attach ?? []);
      return;
    }
    if (!current) return;
    if (outcome.upgrade) {
      await this.runner.run(
        tx,
        {
          incidentId: current.incidentId,
          origin: step.origin,
          command: { type: 'UpgradeIncident', data: outcome.upgrade },
        },
        session,
      );
    }
    if (outcome.attach) await this.attach(step, current, outcome.attach);
    if (outcome.notAttached) this.notAttached(step, current, outcome.notAttached);
  }

  /**
   * Opens the incident of a crossing. Its id derives from the cluster and the crossing's stream version (the
   * episode), so no redelivery or retry can open a second one; the cluster link is written in the same transaction.
   */
  private async openIncident(
    step: Step,
    open: NonNullable<ClusteringOutcome['open']>,
    episode: number,
    window: readonly ComplaintToAttach[],
  ): Promise<void> {
    const incidentId = deterministicUuid(`incident|${step.clusterId}|${episode}`);
    const opened = await this.runner.run(
      step.tx,
      { incidentId, origin: step.origin, command: { type: 'OpenIncident', data: { incidentId, ...open } } },
      step.session,
    );
    const { tenant, clusterId, now: linkedAt } = step;
    await this.clusterLinks.link(step.tx, { tenant, clusterId, episode, incidentId, linkedAt });
    this.linksOf(step.session).set(step.clusterId, incidentId);
    this.logger.info(
      { tenant: step.tenant, clusterId: step.clusterId, incidentId, level: open.level },
      'complaint cluster opened an incident',
    );
    const incident = { incidentId, state: opened.state };
    // A fresh incident takes complaints; one that was there already (a retried command) may have moved on.
    if (isInPhase(opened.state, complaintTakingPhases)) await this.attach(step, incident, window);
    else this.notAttached(step, incident);
  }

  private async attach(step: Step, incident: CurrentIncident, complaints: readonly ComplaintToAttach[]): Promise<void> {
    for (const complaint of complaints) {
      const { complaintId } = complaint;
      await this.runner.run(
        step.tx,
        {
          incidentId: incident.incidentId,
          origin: step.origin,
          command: { type: 'AttachComplaint', data: complaint },
          // One complaint event may attach a whole window to one incident: one key per complaint.
          idempotencyKey: `${step.origin.idempotencyKey}:attach:${complaintId}`,
        },
        step.session,
      );
    }
  }

  private notAttached(step: Step, incident: CurrentIncident, complaint?: ComplaintToAttach): void {
    this.logger.info(
      {
        tenant: step.tenant,
        clusterId: step.clusterId,
        incidentId: incident.incidentId,
        status: incident.state.status,
        ...(complaint ? { complaintId: complaint.complaintId } : {}),
      },
      "complaint not attached: its cluster's incident is no longer open",
    );
  }

  /** The incident of the cluster's latest episode, following merges to the survivor; `null` when there is none. */
  private async currentIncident(step: Step): Promise<CurrentIncident | null> {
    let incidentId = await this.latestLink(step);
    for (let hops = 0; incidentId && hops < 10; hops++) {
      const state = await this.runner.load(step.tx, step.tenant, incidentId, step.session);
      if (state.status !== 'merged') return state.status === 'none' ? null : { incidentId, state };
      incidentId = state.survivorId;
    }
    return null;
  }

  /** The incident of the cluster's latest episode as linked, read once per inbox transaction. */
  private async latestLink(step: Step): Promise<string | undefined> {
    const links = this.linksOf(step.session);
    if (!links.has(step.clusterId)) {
      links.set(step.clusterId, await this.clusterLinks.latestIncident(step.tx, step.tenant, step.clusterId));
    }
    return links.get(step.clusterId) ?? undefined;
  }

  private linksOf(session: StreamSession): Map<string, string | null> {
    let links = this.links.get(session);
    if (!links) {
      links = new Map();
      this.links.set(session, links);
    }
    return links;
  }
}

/** A contract category this service has no incident category for (a newer contract than this service knows). */
export class ComplaintCategoryUnmapped extends DomainError {
  constructor(category: string) {
    super(
      'COMPLAINT.CATEGORY_UNMAPPED',
      'invalid',
      `Complaint category "${category}" has no incident category`,
      'Every complaint category intake publishes maps to an incident category',
    );
  }
}

/**
 * A logistics regional alarm as the cluster takes it: a special-scenario signal about its region (so it clusters with
 * that region's special-scenario complaints), its id as the complaint id, the alarm itself as the "customer" (it counts
 * once toward reach: the customers it reports have not complained), flagged `regionalOutage` (seed 004 §3(二) level 2
 * 「區域內服務中斷」), received when it was raised (clock skew as for complaints).
 */
export function regionalAlarmFactsOf(alarm: RegionalAlarmRaisedV1, now: Date, skewToleranceMs: number): ComplaintFacts {
  const raisedMs = Date.parse(alarm.raisedAt);
  const skewed = raisedMs > now.getTime() && raisedMs - now.getTime() <= skewToleranceMs;
  return {
    complaintId: alarm.alarmId,
    customerRef: `logistics-alarm:${alarm.alarmId}`,
    category: 'special-scenario',
    region: alarm.region,
    flags: { ...noComplaintFlags, regionalOutage: true },
    receivedAt: skewed ? now.toISOString() : alarm.raisedAt,
  };
}

/**
 * What incidents knows of a complaint, mapped field by field from the contract (`customerId` is an opaque reference;
 * the optional flags (`groupEvent`, `brandRisk`, `regionalOutage`, `majorCustomerLoss`), absent, are `false`). A complaint stamped slightly in this service's future (clock skew with intake) is taken as received now.
 */
export function complaintFactsOf(complaint: ComplaintRegisteredV1, now: Date, skewToleranceMs: number): ComplaintFacts {
  const category = categories[complaint.category] as IncidentCategory | undefined;
  if (!category) throw new ComplaintCategoryUnmapped(complaint.category);
  const { personalInjury, propertyLoss, mediaExposure, legalThreat } = complaint.flags;
  const { groupEvent = false, brandRisk = false, regionalOutage = false, majorCustomerLoss = false } = complaint.flags;
  const registeredMs = Date.parse(complaint.registeredAt);
  const skewed = registeredMs > now.getTime() && registeredMs - now.getTime() <= skewToleranceMs;
  return {
    complaintId: complaint.complaintId,
    customerRef: complaint.customerId,
    ...(complaint.caseId ? { caseId: complaint.caseId } : {}),
    orderId: complaint.orderId,
    category,
    ...(complaint.productSku ? { sku: complaint.productSku } : {}),
    ...(complaint.batch ? { batch: complaint.batch } : {}),
    ...(complaint.region ? { region: complaint.region } : {}),
    flags: {
      injury: personalInjury,
      propertyLoss,
      mediaExposure,
      legalThreat,
      groupEvent,
      brandRisk,
      regionalOutage,
      majorCustomerLoss,
    },
    receivedAt: skewed ? now.toISOString() : complaint.registeredAt,
  };
}
