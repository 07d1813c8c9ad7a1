import { Inject, Injectable } from '@nestjs/common';
import { handleCommand, PostgresEventStore } from '@aftersales/eventstore';
import { DomainError } from '@aftersales/domain';
import { type Principal } from '@aftersales/platform-http';
import { CLOCK, type Clock } from '@aftersales/service-runtime';
import { caseDecider, type CaseState, type OpenCase } from '../domain/case.decider';

export class CaseNotFound extends DomainError {
  constructor(caseId: string) {
    super('CASE.NOT_FOUND', 'not_found', `No case ${caseId} in your tenant`);
  }
}

export const caseStream = (caseId: string) => `case-${caseId}`;

/** Application service of the Case aggregate: commands in, events appended, state out. */
@Injectable()
export class CasesService {
  constructor(
    // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async open(
    principal: Principal,
    data: OpenCase['data'],
    options: { correlationId: string; idempotencyKey?: string },
  ): Promise<Extract<CaseState, { status: 'open' }>> {
    const command: OpenCase = {
      type: 'OpenCase',
      context: {
        tenant: principal.tenant,
        actor: { id: principal.subject, roles: principal.roles },
        now: this.clock(),
      },
      data,
    };
    const result = await handleCommand(this.store, caseStream(data.caseId), caseDecider, command, {
      metadata: {
        tenant: principal.tenant,
        actor: { id: principal.subject, roles: principal.roles },
        correlationId: options.correlationId,
      },
      idempotencyKey: options.idempotencyKey && `${principal.tenant}:${options.idempotencyKey}`,
    });
    if (result.state.status !== 'open' || result.state.tenant !== principal.tenant) throw new CaseNotFound(data.caseId);
    return result.state;
  }

  /** Reads a case of the caller's tenant; another tenant's case is indistinguishable from none. */
  async get(principal: Principal, caseId: string): Promise<Extract<CaseState, { status: 'open' }>> {
    const events = await this.store.readStream(caseStream(caseId));
    const state = events.reduce(
      (s, e) => caseDecider.evolve(s, { type: e.type, data: e.data } as Parameters<typeof caseDecider.evolve>[1]),
      caseDecider.initialState(),
    );
    if (state.status !== 'open' || state.tenant !== principal.tenant) throw new CaseNotFound(caseId);
    return state;
  }
}
