import { specOf, stateOf } from '@aftersales/testing/decider';
import { caseDecider, createCaseDecider, requireVerifiedIdentity } from './case.decider';
import { CaseRuleBroken } from './case.errors';
import type { OpenedCaseState } from './case.state';
import { a, actors, caseAt, CASE_ID, iso, minutes } from './testing/case.builder';

const given = specOf(caseDecider);
const audit = (at: number, by: string = actors.agent.id) => ({ caseId: CASE_ID, at: iso(at), by });

// Seed 000 §2.2: before any service touching the customer's account or order data, verify the customer's identity
// in a safe way. domain.md §1: identity verification before any sensitive account/order data is shown or changed.
describe('Case decider: identity verification before sensitive order data', () => {
  it('records the method; the verification is good for the policy’s minutes', () => {
    given(caseAt('investigating'))
      .when(a.verification())
      .then([
        {
          type: 'CustomerIdentityVerified',
          data: { ...audit(12), method: 'sms_code', reference: 'sms-77', validUntil: iso(12 + 30) },
        },
      ]);
    specOf(createCaseDecider({ reopenWindowDays: 7, identityVerificationMinutes: 5 }))(caseAt('opened'))
      .when(a.verification({ method: 'order_details', reference: null }))
      .thenMatches([{ type: 'CustomerIdentityVerified', data: { method: 'order_details', validUntil: iso(17) } }]);
  });

  it('refuses a change of the shipping address without a verified identity', () => {
    given(caseAt('investigating'))
      .when(a.orderChange())
      .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.IDENTITY_NOT_VERIFIED' });
  });

  it('takes the change while the verification holds, with the new details sealed', () => {
    const change = a.orderChange();
    given(caseAt('investigating', a.verification()))
      .when(change)
      .then([
        {
          type: 'CaseOrderChangeRequested',
          data: { ...audit(13), ...change.data, orderId: 'ORD-1' },
        },
      ]);
  });

  it('refuses once the verification has expired', () => {
    given(caseAt('investigating', a.verification()))
      .when(a.orderChange({}, { at: 12 + 31 }))
      .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.IDENTITY_NOT_VERIFIED' });
  });

  it('refuses the same change twice, and changes on a finished case', () => {
    given(caseAt('investigating', a.verification(), a.orderChange()))
      .when(a.orderChange({}, { at: 14 }))
      .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.ORDER_CHANGE_EXISTS' });
    given(caseAt('resolved', a.verification({}, { at: 121 })))
      .when(a.orderChange({}, { at: 122 }))
      .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.RESOLVED' });
  });

  it('guards sensitive reads the same way (requireVerifiedIdentity)', () => {
    const unverified = stateOf(caseDecider, caseAt('opened')) as OpenedCaseState;
    const verified = stateOf(caseDecider, caseAt('opened', a.verification())) as OpenedCaseState;
    expect(() => requireVerifiedIdentity(unverified, 'read contact details', minutes(12))).toThrow(
      expect.objectContaining({ code: 'CASE.IDENTITY_NOT_VERIFIED' }),
    );
    expect(() => requireVerifiedIdentity(verified, 'read contact details', minutes(42))).not.toThrow();
    expect(() => requireVerifiedIdentity(verified, 'read contact details', minutes(43))).toThrow(
      expect.objectContaining({ code: 'CASE.IDENTITY_NOT_VERIFIED' }),
    );
  });

  it('verifies on a resolved case (the customer objects), not on a closed one', () => {
    given(caseAt('resolved'))
      .when(a.verification({}, { at: 130 }))
      .thenMatches([{ type: 'CustomerIdentityVerified' }]);
    given(caseAt('closed'))
      .when(a.verification({}, { at: 200 }))
      .thenThrows(CaseRuleBroken, { kind: 'conflict', code: 'CASE.CLOSED' });
  });
});
