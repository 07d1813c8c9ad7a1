import { randomUUID } from 'node:crypto';
import type { TestService } from '@aftersales/test-kit';

/**
 * Drives cases through intake's HTTP API for the read-model tests: each step is the real command route, and a step the
 * service refuses fails the test with its problem details.
 */
export interface CaseSteps {
  /** Opens a case; `at` is the test clock's time of the step when the caller moves it first. */
  open(options?: {
    readonly channel?: string;
    readonly problemType?: string;
    readonly orderId?: string;
  }): Promise<string>;
  step(caseId: string, path: string, body?: unknown): Promise<void>;
  /** Acknowledged by an agent (the first response) or automatically (none). */
  acknowledge(caseId: string, automatic?: boolean): Promise<void>;
  /** Acknowledged, classified and assigned. */
  assign(caseId: string, assignment: { queue: string; team: string; agentId?: string }): Promise<void>;
  /** An outbound message by an agent (a first response when it is the first). */
  answer(caseId: string): Promise<void>;
  /** From assigned to resolved: investigation, a fact, responsibility, a proposal accepted, resolution. */
  resolve(caseId: string): Promise<void>;
}

export function caseSteps(service: TestService, token: () => string): CaseSteps {
  const post = async (path: string, body?: unknown) => {
    const res = await service.call('POST', path, { caller: { token: token() }, body });
    if (res.status !== 200 && res.status !== 201) throw new Error(`POST ${path} answered ${res.status} ${res.text}`);
    return res.body as { caseId: string };
  };
  const step = async (caseId: string, path: string, body?: unknown) => {
    await post(`/cases/${caseId}/${path}`, body);
  };
  return {
    async open(options = {}) {
      const opened = await post('/cases', {
        channel: options.channel ?? 'chat',
        orderId: options.orderId ?? `ORD-${randomUUID().slice(0, 8)}`,
        customerId: `cus-${randomUUID().slice(0, 8)}`,
        problemType: options.problemType ?? 'quality',
        description: 'The kettle arrived with a cracked base',
      });
      return opened.caseId;
    },
    step,
    async acknowledge(caseId, automatic = false) {
      await step(
        caseId,
        'acknowledgement',
        automatic
          ? {
              message: 'We will handle your request from 09:00',
              nextStep: 'An agent reads it',
              automatic: true,
              handledFrom: '2099-01-01T01:00:00Z',
            }
          : { message: 'Your request is accepted', expectedCycle: '3 days' },
      );
    },
    async assign(caseId, assignment) {
      await step(caseId, 'classification', { category: 'quality' });
      await step(caseId, 'assignment', assignment);
    },
    async answer(caseId) {
      await step(caseId, 'communications', {
        channel: 'chat',
        direction: 'outbound',
        author: { kind: 'agent', ref: 'agent-7' },
        summary: 'Asked for a photo of the base',
      });
    },
    async resolve(caseId) {
      await step(caseId, 'investigation');
      await step(caseId, 'facts', { kind: 'product', summary: 'Crack along the base seam', source: 'photo' });
      await step(caseId, 'responsibility', { party: 'merchant', basis: 'Manufacturing defect' });
      await step(caseId, 'solutions', {
        solutions: [
          {
            kind: 'exchange',
            description: 'A new kettle',
            basis: 'Quality defect within 7 days',
            expectedTime: '2 days',
            customerActions: 'None',
          },
        ],
      });
      await step(caseId, 'solutions/acceptance', { option: 1 });
      await step(caseId, 'resolution', {
        outcome: 'A new kettle is on its way',
        basis: 'Quality defect within 7 days',
        objectionRoute: 'Reply to this message within 7 days',
      });
    },
  };
}
