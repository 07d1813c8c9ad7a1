import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { Decider } from '@aftersales/domain';
import {
  cancelTimer,
  canonicalJson,
  Commands,
  contentHash,
  rearmTimers,
  scheduleTimer,
  StreamSession,
  type CommandOrigin,
  type CommandRequest,
  type StoredEvent,
} from '@aftersales/eventstore';
import {
  createIncidentDecider,
  INCIDENT_ARCHIVE_FORMAT,
  incidentArchiveOf,
  IncidentNotFound,
  initialIncidentState,
  knowledgeEntryOf,
  type IncidentCommand,
  type IncidentEvent,
  type IncidentState,
} from '../domain';
import { CLUSTER_LINK_REPOSITORY, type ClusterLinkRepository } from './cluster-links.port';
import { INCIDENT_ARCHIVE_STORE, type IncidentArchiveStore } from './incident-archives.port';
import {
  contactDeadlineTimerId,
  incidentStream,
  pageDeliveryTimerId,
  retrospectiveOverdueTimerId,
  retrospectiveReminderTimerId,
} from './incident-streams';
import { TenantPolicies } from './tenant-policies';

/** One incident command, as the HTTP API, the consumers and the timers send it. */
export interface IncidentCommandRequest {
  readonly incidentId: string;
  /** Tenant, actor, correlation and idempotency: the command's context and its events' metadata derive from it. */
  readonly origin: CommandOrigin;
  readonly command: CommandRequest<IncidentCommand>;
  /**
   * Replaces the key derived from the origin (per stream and command type) where one origin runs the same command on
   * one incident more than once (attaching each complaint of a window).
   */
  readonly idempotencyKey?: string;
}

/** An event a command appended, with the id it was stored under (a page's id is its event's id). */
export type AppendedIncidentEvent = IncidentEvent & { readonly id: string };

/** What a command did. */
export interface IncidentCommandOutcome {
  /** The incident after the command (the caller's tenant's; another tenant's incident is never returned). */
  readonly state: IncidentState;
  /** The events this command appended, with their ids; empty for a no-op or a repeated request. */
  readonly appended: readonly AppendedIncidentEvent[];
  /** True when the idempotency key had been used before: nothing was decided again. */
  readonly duplicate: boolean;
}

/** The payload of a `page-delivery` timer: everything the pager needs, copied from `ResponseTeamPaged`. */
export interface PagePayload {
  readonly pageId: string;
  readonly incidentId: string;
  readonly level: string;
  readonly trigger: string;
  readonly team: { readonly lead: string; readonly members: readonly string[] };
  readonly reason: string;
  readonly pagedAt: string;
  /** Failed delivery attempts so far (the timer scheduler's backoff counts them). */
  readonly attempts?: number;
}

type IncidentDecider = Decider<IncidentState, IncidentCommand, IncidentEvent>;

/** The incident's fold (the same for every policy: `evolve` reads only events). */
const incidentFold = { evolve: createIncidentDecider().evolve, initialState: initialIncidentState };

/**
 * Runs incident commands inside a caller's transaction and applies the side effects of the appended events in that
 * same transaction: the ONE place that turns incident events into durable timers (contact deadline, page delivery)
 * and follow-up commands (a merge tells its survivor). HTTP commands, the clustering and satisfaction consumers and
 * the timer scheduler all go through {@link IncidentCommandRunner.run}, so no path can append an incident event
 * without its effects, and effects commit exactly when the events do.
 */
@Injectable()
export class IncidentCommandRunner {
  constructor(
    @Inject(Commands) private readonly commands: Commands,
    @Inject(TenantPolicies) private readonly policies: TenantPolicies,
    @Inject(CLUSTER_LINK_REPOSITORY) private readonly clusterLinks: ClusterLinkRepository,
    @Inject(INCIDENT_ARCHIVE_STORE) private readonly archives: IncidentArchiveStore,
  ) {}

  /**
   * Decides `request.command` with the tenant's policy, appends in `tx`, applies the effects in `tx`. Pass the
   * transaction's `session` when `tx` runs many commands (an inbox chunk): each incident is then read once.
   *
   * @throws `IncidentNotFound` when the incident belongs to another tenant (indistinguishable from none);
   *   any `DomainError` of the decider; `ConcurrencyError` when another transaction wrote the stream (retry the
   *   whole transaction).
   */
  async run(
    tx: PoolClient,
    request: IncidentCommandRequest,
    session = new StreamSession(),
  ): Promise<IncidentCommandOutcome> {
    const { incidentId, origin, command, idempotencyKey } = request;
    const tenant = origin.tenant;
    const decider = scopedToTenant(createIncidentDecider(await this.policies.forTenant(tenant, tx)), tenant);
    const result = await this.commands.handle(decider, incidentStream(incidentId), origin, command, {
      tx,
      session,
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });
    if (result.duplicate || result.newEvents.length === 0) {
      return { state: result.state, appended: [], duplicate: result.duplicate };
    }
    const appended = result.newEvents.map((e, i): AppendedIncidentEvent => ({
      ...e,
      id: result.eventIds[i] as string,
    }));
    await this.applyEffects(tx, request, appended, session);
    return { state: result.state, appended, duplicate: false };
  }

  /** The incident as stored, in `tx`; `{ status: 'none' }` for an unknown incident or another tenant's. */
  async load(
    tx: PoolClient,
    tenant: string,
    incidentId: string,
    session = new StreamSession(),
  ): Promise<IncidentState> {
    const { state } = await session.load<IncidentState, IncidentEvent>(
      this.commands.store,
      incidentStream(incidentId),
      incidentFold,
      tx,
    );
    return state.status !== 'none' && state.incident.tenant !== tenant ? initialIncidentState() : state;
  }

  private async applyEffects(
    tx: PoolClient,
    request: IncidentCommandRequest,
    appended: readonly AppendedIncidentEvent[],
    session: StreamSession,
  ): Promise<void> {
    const { tenant, correlationId, actor } = request.origin;
    for (const stored of appended) {
      const event: IncidentEvent = stored;
      const timerMetadata = { correlationId, causationId: stored.id, actor };
      switch (event.type) {
        case 'ContactDeadlineSet':
          // Same timer id, moved in place (ADR 27): an upgrade's tighter deadline replaces the running one, and a
          // deadline restarted by an upgrade after the first contact is armed again even though the first one has
          // fired by then (a schedule would keep the fired row and the restarted deadline would never be checked).
          await rearmTimers(tx, [
            {
              id: contactDeadlineTimerId(event.data.incidentId),
              tenant,
              kind: 'contact-deadline',
              dueAt: new Date(event.data.dueAt),
              payload: { incidentId: event.data.incidentId },
              metadata: timerMetadata,
            },
          ]);
          break;
        // Contact is per customer: a contact does not stop the clock; at the deadline the breach rule counts who was
        // contacted in time (and decides nothing when the policy's share was).
        case 'IncidentClosed':
          await cancelTimer(tx, contactDeadlineTimerId(event.data.incidentId));
          await cancelTimer(tx, retrospectiveReminderTimerId(event.data.incidentId));
          await cancelTimer(tx, retrospectiveOverdueTimerId(event.data.incidentId));
          await this.archive(tx, request, stored, event.data.incidentId, session);
          break;
        case 'IncidentResolved': {
          // The retrospective's reminder and due date are durable timers (seed 004 §4(四)2: 24 / 48 / 72 h).
          const { incidentId, retrospectiveDueAt, retrospectiveReminderAt } = event.data;
          if (retrospectiveReminderAt) {
            await scheduleTimer(tx, {
              id: retrospectiveReminderTimerId(incidentId),
              tenant,
              kind: 'retrospective-reminder',
              dueAt: new Date(retrospectiveReminderAt),
              payload: { incidentId },
              metadata: timerMetadata,
            });
          }
          await scheduleTimer(tx, {
            id: retrospectiveOverdueTimerId(incidentId),
            tenant,
            kind: 'retrospective-overdue',
            dueAt: new Date(retrospectiveDueAt),
            payload: { incidentId },
            metadata: timerMetadata,
          });
          break;
        }
        case 'RetrospectiveRecorded':
          await cancelTimer(tx, retrospectiveReminderTimerId(event.data.incidentId));
          await cancelTimer(tx, retrospectiveOverdueTimerId(event.data.incidentId));
          break;
        case 'ResponseTeamPaged': {
          const { incidentId, level, trigger, team, reason, at } = event.data;
          const payload: PagePayload = {
            pageId: stored.id,
            incidentId,
            level,
            trigger,
            team: { lead: team.lead, members: [...team.members] },
            reason,
            pagedAt: at,
          };
          await scheduleTimer(tx, {
            id: pageDeliveryTimerId(stored.id),
            tenant,
            kind: 'page-delivery',
            dueAt: new Date(at),
            payload,
            metadata: timerMetadata,
          });
          break;
        }
        case 'IncidentMerged':
          await this.mergeInto(tx, request, stored, event.data, session);
          break;
        default:
          break;
      }
    }
  }

  /**
   * The archive at closure (seed 004 §4(四)4): the seven forms built from the stream as it now stands (closure
   * included), stored as canonical JSON, and its SHA-256 recorded on the stream by `ArchiveIncident`, all in the
   * closing transaction: an incident is never closed without its archive, nor archived twice.
   */
  private async archive(
    tx: PoolClient,
    request: IncidentCommandRequest,
    closed: AppendedIncidentEvent,
    incidentId: string,
    session: StreamSession,
  ): Promise<void> {
    // The archive is read back from the store: a session that defers its appends would hide the closure from it.
    if (session.defersAppends) throw new Error('closing an incident needs its events appended, not deferred');
    const stored = await this.commands.store.readStream(incidentStream(incidentId), 0, tx);
    const archive = incidentArchiveOf(stored.map(asIncidentEvent));
    const canonical = canonicalJson(archive);
    const archiveHash = contentHash(canonical);
    await this.archives.save(tx, {
      tenant: request.origin.tenant,
      incidentId,
      archiveHash,
      format: INCIDENT_ARCHIVE_FORMAT,
      canonical,
      archivedAt: new Date(closed.data.at),
    });
    await this.run(
      tx,
      {
        incidentId,
        origin: { ...request.origin, causationId: closed.id },
        command: {
          type: 'ArchiveIncident',
          data: { archiveHash, format: INCIDENT_ARCHIVE_FORMAT, knowledge: knowledgeEntryOf(archive) },
        },
        idempotencyKey: `archive:${closed.id}`,
      },
      session,
    );
  }

  /** A merged incident's deadline stops; its survivor absorbs it; its cluster now feeds the survivor. */
  private async mergeInto(
    tx: PoolClient,
    request: IncidentCommandRequest,
    stored: AppendedIncidentEvent,
    merged: Extract<IncidentEvent, { type: 'IncidentMerged' }>['data'],
    session: StreamSession,
  ): Promise<void> {
    const { tenant } = request.origin;
    await cancelTimer(tx, contactDeadlineTimerId(merged.incidentId));
    await this.run(
      tx,
      {
        incidentId: merged.survivorId,
        origin: { ...request.origin, causationId: stored.id },
        command: {
          type: 'AbsorbDuplicate',
          data: {
            duplicateId: merged.incidentId,
            level: merged.level,
            contactDueAt: merged.contactDueAt,
            reason: merged.reason,
          },
        },
        idempotencyKey: `absorb:${stored.id}`,
      },
      session,
    );
    await this.clusterLinks.relink(tx, tenant, merged.incidentId, merged.survivorId);
  }
}

/** A stored event of an incident stream as the domain's event (the stream holds only the Incident aggregate's). */
function asIncidentEvent(stored: StoredEvent): IncidentEvent {
  return { type: stored.type, data: stored.data } as IncidentEvent;
}

/**
 * The decider, refusing to act on another tenant's incident as if it did not exist (checked on the state it was
 * loaded with, before deciding). Opening commands are left to the decider: an id already taken is a conflict.
 */
function scopedToTenant(decider: IncidentDecider, tenant: string): IncidentDecider {
  return {
    ...decider,
    decide: (command, state) => {
      const opening = command.type === 'OpenIncident' || command.type === 'DeclareIncident';
      if (!opening && state.status !== 'none' && state.incident.tenant !== tenant) {
        throw new IncidentNotFound(command.type);
      }
      return decider.decide(command, state);
    },
  };
}
