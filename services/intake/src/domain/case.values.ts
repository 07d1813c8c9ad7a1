import type { EscalationRung } from '@aftersales/contracts';

/**
 * The vocabulary of the case lifecycle that stays inside intake (the published one is in `@aftersales/contracts`:
 * escalation rungs and reasons, solution kinds, responsible and collaborating parties).
 */

/**
 * Where a case stands: opened → acknowledged → classified → assigned → investigating → solution_proposed →
 * in_execution → resolved → closed, and reopened (back to work) when the customer objects within the tenant's reopen
 * window. Waiting on the customer or a third party is not a status: it is a sub-state that keeps the stage.
 */
export const caseStatuses = [
  'opened',
  'acknowledged',
  'classified',
  'assigned',
  'investigating',
  'solution_proposed',
  'in_execution',
  'resolved',
  'closed',
  'reopened',
] as const;
/** Where a case stands. */
export type CaseStatus = (typeof caseStatuses)[number];

/** How the customer proved who they are before sensitive order data is shown or changed (seed 000 §2.2). */
export const verificationMethods = ['sms_code', 'account_login', 'order_details', 'id_document'] as const;
/** How the customer proved who they are. */
export type VerificationMethod = (typeof verificationMethods)[number];

/** What a fact gathered in the investigation is about (seed 000 §3.2.1). */
export const factKinds = ['order', 'logistics', 'product', 'customer_history'] as const;
/** What a fact is about. */
export type FactKind = (typeof factKinds)[number];

/** Who a case waits on: the customer, or a third party (merchant, warehouse, carrier…). */
export const waitingParties = ['customer', 'third_party'] as const;
/** Who a case waits on. */
export type WaitingParty = (typeof waitingParties)[number];

/** Why a wait ended: a reply recorded by an agent, a message from the customer, the customer's decision on a proposal. */
export const waitEndings = ['reply', 'customer_message', 'customer_decision'] as const;
/** Why a wait ended. */
export type WaitEnding = (typeof waitEndings)[number];

/** Whether a communication came from the customer's side or went to it. */
export const communicationDirections = ['inbound', 'outbound'] as const;
/** Whether a communication came in or went out. */
export type CommunicationDirection = (typeof communicationDirections)[number];

/**
 * Who wrote a communication. `system` is an automatic message (a bot, an auto-reply): it is recorded, but it is no
 * first response.
 */
export const authorKinds = ['customer', 'agent', 'system', 'merchant', 'warehouse', 'logistics'] as const;
/** Who wrote a communication. */
export type AuthorKind = (typeof authorKinds)[number];

/** What an order change request changes (domain.md §3: before shipping the order, after it only the address). */
export const orderChangeKinds = ['shipping_address', 'contact_phone'] as const;
/** What an order change request changes. */
export type OrderChangeKind = (typeof orderChangeKinds)[number];

/** Personal data as a case may hold it: the vault's ciphertext, never plaintext. */
export interface SealedData {
  readonly ciphertext: string;
  readonly keyVersion: number;
}

/** The rungs of the escalation ladder, lowest first. */
const ladder: readonly EscalationRung[] = ['supervisor', 'complaint_team', 'senior_management'];

/** Whether rung `a` is above rung `b` (`null`: not escalated). */
export function isHigherRung(a: EscalationRung, b: EscalationRung | null): boolean {
  return b === null || ladder.indexOf(a) > ladder.indexOf(b);
}

/**
 * Roles that take a case to the complaint team or senior management (seed 000 §3.5.2: first-line agents hand complaints
 * up; the supervisor or above decides where it goes). `system` stands for the platform's own rules (a breached SLA
 * clock, a registered complaint).
 */
export const seniorEscalationRoles = ['supervisor', 'cs-manager', 'cs-director', 'general-manager', 'system'] as const;
