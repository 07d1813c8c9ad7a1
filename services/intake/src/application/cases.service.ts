import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import {
  Commands,
  fold,
  inTransaction,
  StreamSession,
  systemOrigin,
  TimerWrites,
  TransactionBatcher,
  type CommandOrigin,
  type CommandRequest,
  type ServiceDatabase,
} from '@aftersales/eventstore';
import type { CaseChannel } from '@aftersales/contracts';
import type { Principal } from '@aftersales/platform-http';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import { hasPersonalData, PersonalDataVault, pickPersonalData, type PersonalData } from '@aftersales/privacy';
import type { CaseCommand, OpenCase, RecordCommunication, RequestOrderChange } from '../domain/case.commands';
import { caseDecider, requireVerifiedIdentity } from '../domain/case.decider';
import { CaseNotFound } from '../domain/case.errors';
import type { CaseEvent } from '../domain/case.events';
import type { CaseState, OpenedCaseState } from '../domain/case.state';
import type { CommunicationDirection, OrderChangeKind } from '../domain/case.values';
import { offHoursAcknowledgement } from '../domain/case-sla';
import { CaseCommandRunner, type CasePolicies, type CaseRun } from './case-command-runner';
import { caseStream } from './case-streams';
import { PERSONAL_DATA_READERS, PersonalDataAccessDenied } from './register-complaint.handler';

/** Cases opened per transaction at most, when requests come together (group commit; see `CasesService.open`). */
const OPENINGS_PER_TRANSACTION = 50;

interface Opening {
  readonly origin: CommandOrigin;
  readonly data: OpenCase['data'];
}

/** What the openings of one transaction share: their cases, their timers, the tenants' policies. */
interface OpeningBatch {
  readonly session: StreamSession;
  readonly timers: TimerWrites;
  readonly policies: Map<string, CasePolicies>;
}

/**
 * The platform's acknowledgement of a case opened outside the tenant's business hours (`system:intake.off-hours`),
 * decided at the opening's instant; `null` in business hours.
 */
function offHoursOf(
  origin: CommandOrigin,
  opened: CaseRun,
  event: Extract<CaseEvent, { type: 'CaseOpened' }> & { readonly id: string },
): { origin: CommandOrigin; request: CommandRequest<CaseCommand>; at: Date } | null {
  const at = new Date(event.data.openedAt);
  const acknowledgement = offHoursAcknowledgement(opened.sla, at);
  if (!acknowledgement) return null;
  return {
    origin: systemOrigin('intake.off-hours', { ...origin, causationId: event.id }, `off-hours:${event.id}`),
    request: { type: 'AcknowledgeCase', data: acknowledgement },
    at,
  };
}

export { CaseNotFound } from '../domain/case.errors';
export { caseStream } from './case-streams';

/** A lifecycle command as the HTTP API sends it (everything but opening). */
export type CaseLifecycleRequest = CommandRequest<Exclude<CaseCommand, OpenCase>>;

/** What a command did: the case after it, the events it appended (none for a repeated request or a no-op). */
export interface CaseCommandOutcome {
  readonly state: OpenedCaseState;
  readonly appended: readonly CaseEvent['type'][];
  readonly duplicate: boolean;
}

/** `RecordCommunication` as the API receives it: the contact data (phone, e-mail used) still in plaintext. */
export type RecordCommunicationInput = Omit<RecordCommunication['data'], 'contact'> & {
  readonly contact: Pick<PersonalData, 'phone' | 'email'> | null;
};

/** `RequestOrderChange` as the API receives it: the new address or phone still in plaintext. */
export type RequestOrderChangeInput = Omit<RequestOrderChange['data'], 'details'> & {
  readonly details: PersonalData;
};

/** One piece of the customer's contact data a case holds, opened for a verified, authorised reader. */
export interface OpenedContact {
  readonly source: 'communication' | 'order_change';
  readonly id: string;
  readonly at: string;
  readonly channel: CaseChannel | null;
  readonly direction: CommunicationDirection | null;
  readonly orderChange: OrderChangeKind | null;
  readonly data: PersonalData;
}

/**
 * Application service of the Case aggregate: commands in (the tenant's case policy read for each), events appended,
 * state out; the customer's contact data sealed on the way in and opened, audited, on the way out.
 */
@Injectable()
export class CasesService {
  /** Cases opened by concurrent requests, decided together and written in one transaction (group commit). */
  private readonly openings: TransactionBatcher<Opening, OpenedCaseState, OpeningBatch>;

  constructor(
    // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
    @Inject(Commands) private readonly commands: Commands,
    @Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase,
    @Inject(PersonalDataVault) private readonly vault: PersonalDataVault,
    @Inject(CaseCommandRunner) private readonly runner: CaseCommandRunner,
  ) {
    this.openings = new TransactionBatcher<Opening, OpenedCaseState, OpeningBatch>({
      pool: database.pool,
      maxItems: OPENINGS_PER_TRANSACTION,
      // Two at a time: one writes while the next gathers (their cases are new streams, locked in id order).
      concurrency: 2,
      order: (a, b) => (a.data.caseId < b.data.caseId ? -1 : a.data.caseId > b.data.caseId ? 1 : 0),
      prepare: async (items, tx) => {
        const batch: OpeningBatch = {
          session: new StreamSession({ deferAppends: true }),
          timers: new TimerWrites(),
          policies: new Map(),
        };
        await this.runner.preload(
          items.map((i) => i.data.caseId),
          batch.session,
          tx,
        );
        for (const tenant of new Set(items.map((i) => i.origin.tenant))) {
          batch.policies.set(tenant, await this.runner.policiesFor(tenant, tx));
        }
        return batch;
      },
      run: (item, tx, batch) => this.decideOpening(item, tx, batch),
      // An opening decides and gathers; `finish` writes every opening's events and timers at once.
      itemsOnlyRead: true,
      finish: (tx, batch) => this.runner.write(tx, batch.session, batch.timers),
    });
  }

  /**
   * Opens a case, its clocks started by the tenant's SLA policy. Outside the tenant's business hours the customer is
   * told at once, automatically, from when it will be handled (the next business instant of the tenant's calendar):
   * an `AcknowledgeCase` by the platform (`system:intake.off-hours`), decided at the opening's instant, in its
   * transaction. Cases opened at the same time share a transaction (group commit: their streams read in one query,
   * their events appended in one statement, their timers written in one); each request is answered once its
   * transaction committed, and a refused opening (a case id taken by another tenant) fails alone.
   */
  async open(origin: CommandOrigin, data: OpenCase['data']): Promise<OpenedCaseState> {
    return this.openings.submit({ origin, data });
  }

  /** One opening of a batch: decided in the batch's session, its timers kept apart until it is sure to succeed. */
  private async decideOpening({ origin, data }: Opening, tx: PoolClient, batch: OpeningBatch) {
    const before = batch.session.savepoint();
    const timers = new TimerWrites();
    const policies = batch.policies.get(origin.tenant) as CasePolicies;
    try {
      const request = { type: 'OpenCase', data } as const;
      const opened = await this.runner.decide(tx, origin, data.caseId, request, {
        policies,
        session: batch.session,
        timers,
      });
      const event = opened.appended.find((e) => e.type === 'CaseOpened');
      const acknowledgement = event?.type === 'CaseOpened' ? offHoursOf(origin, opened, event) : null;
      const acknowledged = acknowledgement
        ? await this.runner.decide(tx, acknowledgement.origin, data.caseId, acknowledgement.request, {
            policies,
            session: batch.session,
            timers,
            now: acknowledgement.at,
          })
        : null;
      const state = this.visible((acknowledged ?? opened).state, origin.tenant, data.caseId);
      batch.timers.absorb(timers);
      return state;
    } catch (error) {
      // What it decided is dropped: the events it deferred, and the session's view of the case.
      batch.session.rollbackTo(before);
      batch.session.forget(caseStream(data.caseId));
      throw error;
    }
  }

  /**
   * {@link open} in a caller's transaction (a review's follow-up case opens with the review); `idempotencyKey` replaces
   * the key derived from the origin.
   */
  async openIn(
    tx: PoolClient,
    origin: CommandOrigin,
    data: OpenCase['data'],
    options: { readonly idempotencyKey?: string } = {},
  ): Promise<OpenedCaseState> {
    const request = { type: 'OpenCase', data } as const;
    const opened = await this.runner.run(tx, origin, data.caseId, request, { ...options, expectNewStream: true });
    const event = opened.appended.find((e) => e.type === 'CaseOpened');
    const acknowledged =
      event?.type === 'CaseOpened' ? await this.acknowledgeOffHours(tx, origin, opened, event) : null;
    return this.visible((acknowledged ?? opened).state, origin.tenant, data.caseId);
  }

  private async acknowledgeOffHours(
    tx: PoolClient,
    origin: CommandOrigin,
    opened: CaseRun,
    event: Extract<CaseEvent, { type: 'CaseOpened' }> & { readonly id: string },
  ): Promise<CaseRun | null> {
    const acknowledgement = offHoursOf(origin, opened, event);
    if (!acknowledgement) return null;
    const { request, at } = acknowledgement;
    return this.runner.run(tx, acknowledgement.origin, event.data.caseId, request, { now: at });
  }

  /** Reads a case of the tenant; another tenant's case is indistinguishable from none. */
  async get(tenant: string, caseId: string, tx?: PoolClient): Promise<OpenedCaseState> {
    const stored = await this.commands.store.readStream(caseStream(caseId), 0, tx);
    return this.visible(fold<CaseState, CaseEvent>(caseDecider, stored), tenant, caseId);
  }

  /**
   * Runs one lifecycle command on the case under the tenant's case and SLA policies, with its timers, in one
   * transaction (the caller's when given). An unknown or another tenant's case is
   * `CASE.NOT_FOUND`; a repeated request (same `Idempotency-Key`) appends nothing and answers the case as it is.
   */
  async execute(
    origin: CommandOrigin,
    caseId: string,
    request: CaseLifecycleRequest,
    tx?: PoolClient,
  ): Promise<CaseCommandOutcome> {
    const run = (client: PoolClient) => this.runner.run(client, origin, caseId, request);
    const result = tx ? await run(tx) : await inTransaction(this.database.pool, run);
    return {
      state: this.visible(result.state, origin.tenant, caseId),
      appended: result.appended.map((e) => e.type),
      duplicate: result.duplicate,
    };
  }

  /**
   * Records a communication; the contact data used (phone, e-mail) is sealed under the case's customer's key in the
   * transaction that stores the event, so only ciphertext reaches the event store.
   */
  async recordCommunication(
    origin: CommandOrigin,
    caseId: string,
    input: RecordCommunicationInput,
  ): Promise<CaseCommandOutcome> {
    const { contact, ...communication } = input;
    const personalData = contact ? pickPersonalData(contact) : {};
    if (!hasPersonalData(personalData)) {
      return this.execute(origin, caseId, { type: 'RecordCommunication', data: { ...communication, contact: null } });
    }
    return inTransaction(this.database.pool, async (tx) => {
      const sealed = await this.seal(tx, origin, caseId, personalData);
      return this.execute(
        origin,
        caseId,
        { type: 'RecordCommunication', data: { ...communication, contact: sealed } },
        tx,
      );
    });
  }

  /** Requests an order change (a verified identity needed, the decider says); the new details sealed. */
  async requestOrderChange(
    origin: CommandOrigin,
    caseId: string,
    input: RequestOrderChangeInput,
  ): Promise<CaseCommandOutcome> {
    const { details, ...change } = input;
    return inTransaction(this.database.pool, async (tx) => {
      const sealed = await this.seal(tx, origin, caseId, pickPersonalData(details));
      return this.execute(origin, caseId, { type: 'RequestOrderChange', data: { ...change, details: sealed } }, tx);
    });
  }

  /**
   * The customer's contact data the case holds (from its communications and order changes), opened for a reader of
   * personal data while the customer's identity is verified on the case. Every opening is logged by the vault (who,
   * when, why, which case). `erased` once the customer's data was erased: nothing can be opened any more.
   */
  async contactDetails(
    principal: Principal,
    caseId: string,
    purpose: string,
  ): Promise<{ readonly state: OpenedCaseState; readonly erased: boolean; readonly contacts: OpenedContact[] }> {
    const state = await this.get(principal.tenant, caseId);
    if (!principal.roles.some((r) => PERSONAL_DATA_READERS.includes(r))) throw new PersonalDataAccessDenied();
    requireVerifiedIdentity(state, "reading the customer's contact data", this.commands.now());
    const { customerId } = state.case.opened;
    const sealed = [
      ...state.case.conversation.contacts.map((c) => ({
        source: 'communication' as const,
        id: c.communicationId,
        at: c.at,
        channel: c.channel,
        direction: c.direction,
        orderChange: null,
        sealed: c.contact,
      })),
      ...state.case.orderChanges.map((c) => ({
        source: 'order_change' as const,
        id: c.changeId,
        at: c.at,
        channel: null,
        direction: null,
        orderChange: c.kind,
        sealed: c.details,
      })),
    ];
    const contacts: OpenedContact[] = [];
    for (const { sealed: ciphertext, ...entry } of sealed) {
      const data = await this.vault.open(principal.tenant, customerId, ciphertext, {
        actor: principal.subject,
        roles: principal.roles,
        purpose,
        resource: `case/${caseId}/${entry.source}/${entry.id}`,
      });
      if (!data) return { state, erased: true, contacts: [] };
      contacts.push({ ...entry, data });
    }
    const erased = sealed.length === 0 && (await this.vault.status(principal.tenant, customerId)).state === 'erased';
    return { state, erased, contacts };
  }

  /** Seals personal data under the key of the case's customer (the case must be the caller's tenant's). */
  private async seal(tx: PoolClient, origin: CommandOrigin, caseId: string, data: PersonalData) {
    const state = await this.get(origin.tenant, caseId, tx);
    const sealed = await this.vault.seal(tx, origin.tenant, state.case.opened.customerId, data);
    return { ciphertext: sealed.ciphertext, keyVersion: sealed.keyVersion };
  }

  private visible(state: CaseState, tenant: string, caseId: string): OpenedCaseState {
    if (state.status === 'none' || state.case.tenant !== tenant) throw new CaseNotFound(caseId);
    return state;
  }
}
