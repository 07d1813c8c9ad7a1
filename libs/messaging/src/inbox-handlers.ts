import 'reflect-metadata';
import { EventPattern } from '@nestjs/microservices';
import { PATTERN_METADATA, TRANSPORT_METADATA } from '@nestjs/microservices/constants';
import type { PoolClient } from 'pg';
import type { AnyEventContract, EventData } from '@aftersales/contracts';
import type { CommandOrigin, StreamSession } from '@aftersales/eventstore';
import type { ConsumedEvent } from './inbox-consumer';

/**
 * What an inbox handler receives: the decoded, contract-valid event (typed by the contract its handler declares),
 * the inbox transaction every effect must be written through, the transaction's stream session, and the origin of
 * the commands the event causes. The tenant is the envelope's, already checked against the payload's `tenantId`.
 */
export interface InboxEvent<Data = unknown> extends ConsumedEvent<Data> {
  /** The inbox transaction: everything written through it commits with the inbox row, exactly once. */
  readonly tx: PoolClient;
  /** The chunk transaction's stream session (pass it to command handling: each stream is read once per chunk). */
  readonly session: StreamSession;
  /**
   * Origin of the commands this event causes: actor `system:<service>.<consumer>`, the event's tenant and correlation,
   * causation and idempotency key = the event's id (a redelivery under a new id still meets the inbox row's twin).
   */
  readonly origin: CommandOrigin;
}

/** An inbox handler method for the events of one contract. */
export type InboxHandlerMethod<Data> = (event: InboxEvent<Data>) => Promise<void>;

const HANDLED_CONTRACT = 'aftersales:inbox:contract';

/**
 * Declares the method that applies one event contract in its inbox consumer. The method's parameter is typed by the
 * contract (a method taking another payload does not compile), and the method is bound to exactly one consumer: the
 * one whose `handlers` list its class in the service definition (see {@link bindInboxHandlers}).
 *
 * @example
 * ```ts
 * @Controller()
 * export class CaseOpenedConsumer {
 *   @Handles(CaseOpenedV1)
 *   async onCaseOpened(event: InboxEvent<CaseOpenedV1>): Promise<void> {
 *     await event.tx.query('INSERT INTO … ON CONFLICT DO NOTHING', [event.tenant, event.data.caseId]);
 *   }
 * }
 * ```
 */
export function Handles<C extends AnyEventContract>(contract: C) {
  return <M extends InboxHandlerMethod<EventData<C>>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<M>,
  ): TypedPropertyDescriptor<M> => {
    EventPattern(contract.type)(target, key, descriptor);
    Reflect.defineMetadata(HANDLED_CONTRACT, contract, descriptor.value as object);
    return descriptor;
  };
}

/** The Nest transport id of one inbox consumer: its handlers are registered with its transport only. */
export function inboxTransportId(service: string, consumer: string): symbol {
  return Symbol.for(`aftersales.inbox:${service}.${consumer}`);
}

type HandlerClass = abstract new (...args: never[]) => unknown;

/** The `@Handles` methods of a class, with the contract each applies. */
export function inboxHandlersOf(
  handlerClass: HandlerClass,
): ReadonlyArray<{ readonly method: string; readonly contract: AnyEventContract; readonly fn: object }> {
  const prototype = handlerClass.prototype as Record<string, unknown>;
  return Object.getOwnPropertyNames(prototype).flatMap((method) => {
    const fn = Object.getOwnPropertyDescriptor(prototype, method)?.value as unknown;
    if (typeof fn !== 'function') return [];
    const contract = Reflect.getMetadata(HANDLED_CONTRACT, fn) as AnyEventContract | undefined;
    return contract ? [{ method, contract, fn }] : [];
  });
}

/** The contracts a consumer's handler classes apply (for its topics, and for the poison-message suite). */
export function handledContracts(handlerClasses: readonly HandlerClass[]): AnyEventContract[] {
  const contracts = new Map<string, AnyEventContract>();
  for (const handlerClass of handlerClasses) {
    for (const { contract } of inboxHandlersOf(handlerClass)) contracts.set(contract.type, contract);
  }
  return [...contracts.values()];
}

/**
 * Binds the `@Handles` methods of a consumer's classes to that consumer's transport, so each inbox runs its own
 * handler set: two consumers of one service on the same topic never run each other's handlers. A class listed by two
 * consumers, or a class without any `@Handles` method, is a wiring mistake and refused at start.
 */
export function bindInboxHandlers(service: string, consumer: string, handlerClasses: readonly HandlerClass[]): void {
  const transport = inboxTransportId(service, consumer);
  for (const handlerClass of handlerClasses) {
    const handlers = inboxHandlersOf(handlerClass);
    if (handlers.length === 0) {
      throw new Error(`${handlerClass.name} is listed as a handler of consumer ${consumer} but has no @Handles method`);
    }
    for (const { method, fn } of handlers) {
      const bound = Reflect.getMetadata(TRANSPORT_METADATA, fn) as symbol | undefined;
      if (bound !== undefined && bound !== transport) {
        throw new Error(
          `${handlerClass.name}.${method} is bound to ${String(bound.description)} already; a handler class belongs to one consumer`,
        );
      }
      Reflect.defineMetadata(TRANSPORT_METADATA, transport, fn);
    }
  }
}

/** True when a method is an event handler (`@Handles` or a bare `@EventPattern`) not bound to any inbox consumer. */
export function isUnboundEventHandler(fn: object): boolean {
  return (
    Reflect.getMetadata(PATTERN_METADATA, fn) !== undefined && Reflect.getMetadata(TRANSPORT_METADATA, fn) === undefined
  );
}
