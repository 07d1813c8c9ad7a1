import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import {
  Commands,
  fold,
  inTransaction,
  StreamSession,
  type CommandOrigin,
  type CommandRequest,
  type ServiceDatabase,
} from '@aftersales/eventstore';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import {
  returnRequestDecider,
  type OpenReturnState,
  type RequestReturn,
  type ReturnCommand,
  type ReturnEvent,
  type ReturnState,
  type ReturnStatus,
} from '../domain/return-request.decider';
import { ReturnNotFound } from '../domain/return-request.errors';
import type { ReturnsPolicy } from '../domain/returns-policy';
import { CASE_REGISTER, type CaseRegister } from './case-register.port';
import { scheduleDeadlineTimers } from './return-deadline-timers';
import { RETURN_INDEX, type ReturnIndex, type ReturnSummary } from './return-index.port';
import { ReturnsPoliciesService } from './returns-policies.service';

export const returnStream = (returnId: string) => `return-${returnId}`;

/** The commands that read the tenant's policy: the service adds it, callers never send it. */
const POLICY_COMMANDS = [
  'OfferAllowance',
  'DecideReturn',
  'RecordReceipt',
  'InspectReturn',
  'AnswerRepairQuote',
  'CompleteRepair',
  'AnswerExchangeDifference',
] as const;
type WithoutPolicy<C> = C extends { data: { policy: ReturnsPolicy } }
  ? Omit<C, 'data'> & { data: Omit<C['data'], 'policy'> }
  : C;

/** A step of a return as the API or a consumer asks for it (everything but the request itself), without the policy. */
export type ReturnStepRequest = WithoutPolicy<CommandRequest<Exclude<ReturnCommand, RequestReturn>>>;

/** A request as the API receives it: the case check and the policy are the service's. */
export type ReturnRequestInput = Omit<RequestReturn['data'], 'caseKnown' | 'policy'>;

/**
 * Application service of the ReturnRequest aggregate: every command under the tenant's returns policy, in one
 * transaction with the returns list; another tenant's return is indistinguishable from none.
 */
@Injectable()
export class ReturnsService {
  constructor(
    // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
    @Inject(Commands) private readonly commands: Commands,
    @Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase,
    @Inject(CASE_REGISTER) private readonly cases: CaseRegister,
    @Inject(RETURN_INDEX) private readonly index: ReturnIndex,
    @Inject(ReturnsPoliciesService) private readonly policies: ReturnsPoliciesService,
  ) {}

  /** Requests a return; eligibility is assessed at once under the tenant's policy. A retried request changes nothing. */
  async request(origin: CommandOrigin, input: ReturnRequestInput): Promise<OpenReturnState> {
    const caseKnown = input.caseId ? (await this.cases.find(origin.tenant, input.caseId)) !== null : false;
    return inTransaction(this.database.pool, async (tx) => {
      const policy = await this.policies.forTenant(origin.tenant, tx);
      const result = await this.commands.handle(
        returnRequestDecider,
        returnStream(input.returnId),
        origin,
        { type: 'RequestReturn', data: { ...input, caseKnown, policy } },
        { tx },
      );
      const state = visible(result.state, origin.tenant, input.returnId);
      if (result.newEvents.length > 0) await this.index.record(tx, origin.tenant, summaryOf(state));
      return state;
    });
  }

  /**
   * Runs one step of a return (the caller's transaction when given: a consumer's inbox transaction). An unknown or
   * another tenant's return is `RETURN.NOT_FOUND`; a repeated request appends nothing and answers the return as it is.
   */
  async execute(
    origin: CommandOrigin,
    returnId: string,
    step: ReturnStepRequest,
    tx?: PoolClient,
  ): Promise<{ readonly state: OpenReturnState; readonly appended: readonly ReturnEvent['type'][] }> {
    const run = async (client: PoolClient) => {
      // The return is read once: for the tenant check here and for the decision.
      const session = new StreamSession();
      const loaded = await session.load(this.commands.store, returnStream(returnId), returnRequestDecider, client);
      visible(loaded.state, origin.tenant, returnId);
      const needsPolicy = (POLICY_COMMANDS as readonly string[]).includes(step.type);
      const data = needsPolicy
        ? { ...step.data, policy: await this.policies.forTenant(origin.tenant, client) }
        : step.data;
      const request = { type: step.type, data } as CommandRequest<ReturnCommand>;
      const result = await this.commands.handle(returnRequestDecider, returnStream(returnId), origin, request, {
        tx: client,
        session,
      });
      const state = visible(result.state, origin.tenant, returnId);
      if (result.newEvents.length > 0) {
        await this.index.record(client, origin.tenant, summaryOf(state));
        await scheduleDeadlineTimers(client, origin.tenant, result.newEvents, this.commands.now());
      }
      return { state, appended: result.newEvents.map((e) => e.type) };
    };
    return tx ? run(tx) : inTransaction(this.database.pool, run);
  }

  async get(tenant: string, returnId: string): Promise<OpenReturnState> {
    return visible(await this.read(returnId), tenant, returnId);
  }

  async list(
    tenant: string,
    filter: { status?: ReturnStatus; caseId?: string; limit: number },
  ): Promise<ReturnSummary[]> {
    return this.index.list(tenant, filter);
  }

  private async read(returnId: string, tx?: PoolClient): Promise<ReturnState> {
    return fold(returnRequestDecider, await this.commands.store.readStream(returnStream(returnId), 0, tx));
  }
}

function visible(state: ReturnState, tenant: string, returnId: string): OpenReturnState {
  if (state.status === 'none' || state.request.tenant !== tenant) throw new ReturnNotFound(returnId);
  return state;
}

function summaryOf(state: OpenReturnState): ReturnSummary {
  const { returnId, caseId, orderId, kind, requestedAt } = state.request;
  return { returnId, caseId, orderId, kind, status: state.status, requestedAt };
}
