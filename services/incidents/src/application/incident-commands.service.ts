import { inTransaction } from '@aftersales/eventstore';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ServiceDatabase } from '@aftersales/eventstore';
import { type Principal } from '@aftersales/platform-http';
import { CLOCK, SERVICE_DATABASE, type Clock } from '@aftersales/service-runtime';
import { IncidentNotFound, type IncidentCommand, type IncidentState } from '../domain';
import { IncidentCommandRunner } from './incident-command-runner';
import { deterministicUuid } from './incident-streams';

/** A command the HTTP API sends, by type, with its data. */
export type IncidentCommandType = IncidentCommand['type'];
export type IncidentCommandData<T extends IncidentCommandType> = Extract<IncidentCommand, { type: T }>['data'];

/** What an HTTP command answers: where the incident stands after it. */
export interface IncidentSummary {
  readonly incidentId: string;
  readonly status: Exclude<IncidentState['status'], 'none'>;
  readonly category: string;
  readonly level: string;
  readonly summary: string;
  readonly openedAt: string;
  readonly contactDueAt: string | null;
  readonly contactDeadlineBreached: boolean;
  readonly attachedComplaints: number;
  /** Event types this request appended; empty for a no-op or a repeated request (same `Idempotency-Key`). */
  readonly appended: readonly string[];
  readonly duplicate: boolean;
}

export interface RequestOptions {
  readonly correlationId: string;
  readonly idempotencyKey?: string;
}

/** Application service behind the HTTP commands: principal → command context, one transaction per request. */
@Injectable()
export class IncidentCommandsService {
  constructor(
    // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
    @Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase,
    @Inject(IncidentCommandRunner) private readonly runner: IncidentCommandRunner,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * The id of an incident declared by hand: the client's, or derived from its `Idempotency-Key` so that a retried
   * declaration finds the incident the first attempt created, or a new one.
   */
  incidentIdFor(principal: Principal, requested: string | undefined, idempotencyKey: string | undefined): string {
    if (requested) return requested;
    return idempotencyKey ? deterministicUuid(`declare|${principal.tenant}|${idempotencyKey}`) : randomUUID();
  }

  /** Runs one command for the principal's tenant and answers the incident's summary. */
  async execute<T extends IncidentCommandType>(
    principal: Principal,
    incidentId: string,
    type: T,
    data: IncidentCommandData<T>,
    options: RequestOptions,
  ): Promise<IncidentSummary> {
    const actor = { id: principal.subject, roles: [...principal.roles] };
    const outcome = await inTransaction(this.database.pool, (tx) =>
      this.runner.run(tx, {
        incidentId,
        command: { type, context: { tenant: principal.tenant, actor, now: this.clock() }, data } as IncidentCommand,
        metadata: { tenant: principal.tenant, actor, correlationId: options.correlationId },
        ...(options.idempotencyKey
          ? { idempotencyKey: `${principal.tenant}:${incidentId}:${type}:${options.idempotencyKey}` }
          : {}),
      }),
    );
    const { state } = outcome;
    if (state.status === 'none' || state.incident.tenant !== principal.tenant) throw new IncidentNotFound(type);
    const { incident } = state;
    return {
      incidentId: incident.incidentId,
      status: state.status,
      category: incident.category,
      level: incident.level,
      summary: incident.summary,
      openedAt: incident.openedAt,
      contactDueAt: incident.contactDueAt,
      contactDeadlineBreached: incident.contactDeadlineBreached,
      attachedComplaints: incident.attachedComplaints.size,
      appended: outcome.appended.map((e) => e.type),
      duplicate: outcome.duplicate,
    };
  }
}
