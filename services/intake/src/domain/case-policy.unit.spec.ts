import { specOf, stateOf } from '@aftersales/testing/decider';
import type { CommandContext } from '@aftersales/domain';
import {
  casePolicyDecider,
  casePolicyOf,
  defaultCasePolicy,
  InvalidCasePolicy,
  type SetCasePolicy,
} from './case-policy';

const given = specOf(casePolicyDecider);
const context: CommandContext = {
  tenant: 'shop-1',
  actor: { id: 'manager-1', roles: ['cs-manager'] },
  now: new Date('2026-11-25T10:00:00.000Z'),
};
const set = (reopenWindowDays: number, identityVerificationMinutes = 30): SetCasePolicy => ({
  type: 'SetCasePolicy',
  context,
  data: { reopenWindowDays, identityVerificationMinutes },
});

describe('Case policy (per tenant)', () => {
  it('starts from the defaults: a 7-day reopen window, verifications good for 30 minutes', () => {
    expect(casePolicyOf(casePolicyDecider.initialState())).toEqual({
      reopenWindowDays: 7,
      identityVerificationMinutes: 30,
    });
  });

  it('records a change with the previous policy, who and when', () => {
    given([])
      .when(set(15))
      .then([
        {
          type: 'CasePolicySet',
          data: {
            tenant: 'shop-1',
            reopenWindowDays: 15,
            identityVerificationMinutes: 30,
            previous: defaultCasePolicy,
            at: '2026-11-25T10:00:00.000Z',
            by: 'manager-1',
          },
        },
      ]);
    const events = casePolicyDecider.decide(set(15), casePolicyDecider.initialState());
    expect(casePolicyOf(stateOf(casePolicyDecider, events))).toEqual({
      reopenWindowDays: 15,
      identityVerificationMinutes: 30,
    });
  });

  it('changes nothing when the policy is already that', () => {
    given(casePolicyDecider.decide(set(15), casePolicyDecider.initialState()))
      .when(set(15))
      .thenNothing();
  });

  it('refuses settings out of bounds or fractional', () => {
    for (const [days, minutes] of [
      [0, 30],
      [366, 30],
      [1.5, 30],
      [7, 0],
      [7, 24 * 60 + 1],
    ] as const) {
      given([])
        .when(set(days, minutes))
        .thenThrows(InvalidCasePolicy, { kind: 'invalid', code: 'CASE_POLICY.INVALID' });
    }
  });
});
