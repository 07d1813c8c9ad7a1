import { deterministicUuid } from '@aftersales/eventstore';
import type { Cause } from '../domain/compensation-order.decider';
import type { Instrument } from '../domain/compensation-policy';

/** Refunds of one cause are one order whether partial or full: a cause is never refunded twice. */
const instrumentGroup = (instrument: Instrument) =>
  instrument === 'partial_refund' || instrument === 'full_refund' ? 'refund' : instrument;

/** The key of a cause and instrument: one order per pair in a tenant (never paid twice). */
export const causeKey = (cause: Cause, instrument: Instrument) =>
  `${cause.kind}:${cause.id}${cause.reason ? `:${cause.reason}` : ''}:${instrumentGroup(instrument)}`;

/** The order id of a key in a tenant: the same request always finds the same order. */
export const compensationIdOf = (tenant: string, key: string) => deterministicUuid(`compensation|${tenant}|${key}`);
