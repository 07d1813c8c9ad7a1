import { specOf, stateOf } from '@aftersales/testing/decider';
import { caseDecider } from './case.decider';
import { CaseRuleBroken } from './case.errors';
import { a, actors, caseAt, CASE_ID, iso } from './testing/case.builder';

const given = specOf(caseDecider);
const audit = (at: number, by: string = actors.agent.id) => ({ caseId: CASE_ID, at: iso(at), by });
const sealed = { ciphertext: 'cGhvbmUgdXNlZA==', keyVersion: 1 };
const inbound = (at: number, id = '0f1e2d3c-4b5a-4968-8776-655443322110') =>
  a.communication(
    {
      communicationId: id,
      direction: 'inbound',
      author: { kind: 'customer', ref: null },
      summary: 'Customer sent two photos of the crushed box',
      attachmentRefs: ['https://media.example.com/c/1.jpg'],
      contact: sealed,
    },
    { at, actor: actors.chatIntegration },
  );

// Seed 000 §2.2: every important communication recorded accurately, objectively; waiting on the customer or a third
// party pauses the clocks (domain.md §1) and keeps the stage.
describe('Case decider: conversation record and waiting', () => {
  describe('RecordCommunication', () => {
    it('records a communication; the first outbound message of an agent is the first response', () => {
      const command = a.communication();
      given(caseAt('opened'))
        .when(command)
        .then([
          { type: 'CaseCommunicationRecorded', data: { ...audit(14), ...command.data } },
          {
            type: 'CaseFirstResponseGiven',
            data: { ...audit(14), via: 'communication', communicationId: command.data.communicationId },
          },
        ]);
    });

    it('gives the first response once: not after an acknowledgement by an agent', () => {
      given(caseAt('acknowledged'))
        .when(a.communication())
        .thenMatches([{ type: 'CaseCommunicationRecorded' }]);
    });

    it("an automatic message is recorded but is no first response, nor is the customer's own message", () => {
      given(caseAt('opened'))
        .when(a.communication({ author: { kind: 'system', ref: 'chat-bot' } }, { actor: actors.chatIntegration }))
        .thenMatches([{ type: 'CaseCommunicationRecorded' }]);
      given(caseAt('opened'))
        .when(inbound(2))
        .thenMatches([{ type: 'CaseCommunicationRecorded' }]);
    });

    it('keeps contact data only sealed, and counts the conversation', () => {
      const state = stateOf(caseDecider, caseAt('opened', inbound(2), a.communication({}, { at: 3 })));
      expect(state).toMatchObject({
        status: 'opened',
        case: {
          firstResponse: { via: 'communication', at: iso(3) },
          conversation: {
            inbound: 1,
            outbound: 1,
            lastInboundAt: iso(2),
            lastOutboundAt: iso(3),
            contacts: [{ channel: 'chat', direction: 'inbound', contact: sealed }],
          },
        },
      });
    });

    it('records a communication again under the same id as nothing new (integrations retry)', () => {
      given(caseAt('opened', inbound(2)))
        .when(inbound(3))
        .thenNothing();
    });

    it('records messages after closure too', () => {
      given(caseAt('closed'))
        .when(inbound(500))
        .thenMatches([{ type: 'CaseCommunicationRecorded' }]);
    });

    it('refuses a blank summary', () => {
      given(caseAt('opened'))
        .when(a.communication({ summary: ' \n' }))
        .thenThrows(CaseRuleBroken, { kind: 'invalid', code: 'CASE.FIELD_REQUIRED' });
    });
  });

  describe('StartWaiting / EndWaiting', () => {
    it('waits on the customer, keeping the stage', () => {
      const history = caseAt('investigating');
      given(history)
        .when(a.waitingStart())
        .then([
          {
            type: 'CaseWaitingStarted',
            data: { ...audit(10), on: 'customer', reason: 'Asked for photos of the damage' },
          },
        ]);
      expect(stateOf(caseDecider, caseAt('investigating', a.waitingStart()))).toMatchObject({
        status: 'investigating',
        case: { waiting: { on: 'customer', since: iso(10), reason: 'Asked for photos of the damage' } },
      });
    });

    it("the customer's message is the reply: it ends the wait", () => {
      const reply = inbound(25);
      given(caseAt('investigating', a.waitingStart()))
        .when(reply)
        .then([
          { type: 'CaseCommunicationRecorded', data: { ...audit(25, 'chat-connector'), ...reply.data } },
          {
            type: 'CaseWaitingEnded',
            data: {
              ...audit(25, 'chat-connector'),
              on: 'customer',
              since: iso(10),
              endedBy: 'customer_message',
              note: null,
              communicationId: reply.data.communicationId,
            },
          },
        ]);
    });

    it("a customer's message does not end a wait on a third party; the agent records that reply", () => {
      const history = caseAt('in_execution', a.waitingStart({ on: 'third_party', reason: 'Carrier claim form' }));
      given(history)
        .when(inbound(20))
        .thenMatches([{ type: 'CaseCommunicationRecorded' }]);
      given(history)
        .when(a.waitingEnd('Carrier accepted the claim'))
        .then([
          {
            type: 'CaseWaitingEnded',
            data: {
              ...audit(30),
              on: 'third_party',
              since: iso(10),
              endedBy: 'reply',
              note: 'Carrier accepted the claim',
              communicationId: null,
            },
          },
        ]);
    });

    it('waits on one party at a time, and ends only a wait', () => {
      given(caseAt('investigating', a.waitingStart()))
        .when(a.waitingStart({ on: 'third_party' }, { at: 11 }))
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.ALREADY_WAITING' });
      given(caseAt('investigating'))
        .when(a.waitingEnd())
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.NOT_WAITING' });
    });

    it('waits only on an acknowledged case that is still worked on', () => {
      given(caseAt('opened'))
        .when(a.waitingStart())
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.NOT_ACKNOWLEDGED' });
      given(caseAt('resolved'))
        .when(a.waitingStart())
        .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.RESOLVED' });
    });

    it('keeps working while waiting: facts may be recorded and the case reassigned', () => {
      given(caseAt('investigating', a.waitingStart()))
        .when(a.fact())
        .thenMatches([{ type: 'CaseFactRecorded' }]);
    });
  });
});
