import { Inject, Injectable } from '@nestjs/common';
import { Commands, fold, type CommandOrigin } from '@aftersales/eventstore';
import { DomainError } from '@aftersales/domain';
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
  // Explicit token: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
  constructor(@Inject(Commands) private readonly commands: Commands) {}

  async open(origin: CommandOrigin, data: OpenCase['data']): Promise<Extract<CaseState, { status: 'open' }>> {
    const result = await this.commands.handle(caseDecider, caseStream(data.caseId), origin, { type: 'OpenCase', data });
    if (result.state.status !== 'open' || result.state.tenant !== origin.tenant) throw new CaseNotFound(data.caseId);
    return result.state;
  }

  /** Reads a case of the tenant; another tenant's case is indistinguishable from none. */
  async get(tenant: string, caseId: string): Promise<Extract<CaseState, { status: 'open' }>> {
    const state = fold(caseDecider, await this.commands.store.readStream(caseStream(caseId)));
    if (state.status !== 'open' || state.tenant !== tenant) throw new CaseNotFound(caseId);
    return state;
  }
}
