import { Inject, Injectable } from '@nestjs/common';
import { Type, type Static } from '@sinclair/typebox';
import { IncidentCategories, IncidentLevels, StringEnum } from '@aftersales/contracts';
import { DateTime, Nullable, ReadonlyList } from '@aftersales/platform-http';
import { inTransaction, type CommandOrigin, type ServiceDatabase } from '@aftersales/eventstore';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import { IncidentNotFound, incidentPhases, type IncidentCommand } from '../domain';
import { IncidentCommandRunner, type IncidentCommandRequest } from './incident-command-runner';

/** A command the HTTP API sends, by type, with its data. */
export type IncidentCommandType = IncidentCommand['type'];
export type IncidentCommandData<T extends IncidentCommandType> = Extract<IncidentCommand, { type: T }>['data'];

const Phase = StringEnum(incidentPhases);

/** What an HTTP command answers: where the incident stands after it. */
export const IncidentSummary = Type.Object(
  {
    incidentId: Type.String({ format: 'uuid' }),
    status: Phase,
    category: StringEnum(IncidentCategories),
    level: StringEnum(IncidentLevels),
    summary: Type.String(),
    openedAt: DateTime(),
    contactDueAt: Nullable(DateTime()),
    contactDeadlineBreached: Type.Boolean(),
    attachedComplaints: Type.Integer({ minimum: 0 }),
    appended: ReadonlyList(Type.String(), {
      description:
        'Event types this request appended; empty for a no-op or a repeated request (same `Idempotency-Key`)',
    }),
    duplicate: Type.Boolean({ description: 'True when the `Idempotency-Key` had been used: nothing was appended' }),
  },
  { title: 'IncidentSummary' },
);
export type IncidentSummary = Static<typeof IncidentSummary>;

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
