import { Inject, Injectable } from '@nestjs/common';
import { inTransaction, type CommandOrigin, type ServiceDatabase } from '@aftersales/eventstore';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import { IncidentNotFound, type IncidentCommand, type IncidentState } from '../domain';
import { IncidentCommandRunner, type IncidentCommandRequest } from './incident-command-runner';

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

/** Application service behind the HTTP commands: principal → command context, one transaction per request. */
@Injectable()
export class IncidentCommandsService {
  constructor(
    // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
    @Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase,
    @Inject(IncidentCommandRunner) private readonly runner: IncidentCommandRunner,
  ) {}

  /** Runs one command for the origin's tenant and answers the incident's summary. */
  async execute<T extends IncidentCommandType>(
    origin: CommandOrigin,
    incidentId: string,
    type: T,
    data: IncidentCommandData<T>,
  ): Promise<IncidentSummary> {
    const command = { type, data } as IncidentCommandRequest['command'];
    const outcome = await inTransaction(this.database.pool, (tx) =>
      this.runner.run(tx, { incidentId, origin, command }),
    );
    const { state } = outcome;
    if (state.status === 'none' || state.incident.tenant !== origin.tenant) throw new IncidentNotFound(type);
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
