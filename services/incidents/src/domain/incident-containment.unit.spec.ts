import { historyOf, specOf, stateOf } from '@aftersales/testing/decider';
import { ContactDeadlineNotDue, FieldRequired, incidentRules, InvalidIncidentTransition } from './incident.errors';
import { createIncidentDecider, incidentDecider } from './incident.decider';
import type { IncidentEvent } from './incident.events';
import { resolvePolicy } from './incident-policy';
import type { IncidentLevel } from './incident.values';
import { anIncidentHistory, incidentCommands } from './testing/incident.builder';
import { TestClock } from './testing/test-clock';

const given = specOf(incidentDecider);

let clock: TestClock;
let command: ReturnType<typeof incidentCommands>;
beforeEach(() => {
  clock = new TestClock('2026-11-25T08:00:00.000Z');
  command = incidentCommands(clock);
});

const opened = (level: IncidentLevel = 'L3'): IncidentEvent[] =>
  historyOf(incidentDecider, [command.declare({ level })]);

describe('Incident containment', () => {
  describe('contacting customers: the first contact moves the incident to containment', () => {
    it('records a contact within the deadline', () => {
      // L3 opened 08:00 → due 10:00; contacted 09:15.
      const history = opened();
      clock.advance({ minutes: 75 });
      given(history)
        .when(command.contact({ customerRefs: ['CUS-1', 'CUS-2'] }))
        .then([
          {
            type: 'CustomersContacted',
            data: {
              incidentId: 'INC-1',
              actor: { id: 'agent-7', role: 'agent' },
              at: '2026-11-25T09:15:00.000Z',
              customerRefs: ['CUS-1', 'CUS-2'],
              summary: 'Apologised, explained, committed a reply within 24 h',
              dueAt: '2026-11-25T10:00:00.000Z',
              withinDeadline: true,
            },
          },
        ]);
    });

    it('moves the incident to containment', () => {
      const history = historyOf(incidentDecider, [command.contact({ customerRefs: ['CUS-1', 'CUS-2'] })], opened());
      expect(stateOf(incidentDecider, history)).toMatchObject({
        status: 'containment',
        contact: { firstContactAt: '2026-11-25T08:00:00.000Z', withinDeadline: true, customersContacted: 2 },
      });
    });

    it('records a contact after the deadline as late', () => {
      // L1 opened 08:00 → due 08:30; contacted 08:31.
      const history = opened('L1');
      clock.advance({ minutes: 31 });
      given(history)
        .when(command.contact())
        .thenMatches([{ type: 'CustomersContacted', data: { withinDeadline: false } }]);
    });

    it('goes on recording contacts during containment and resolution', () => {
      given(anIncidentHistory(clock, { until: 'root-caused' }))
        .when(command.contact({ customerRefs: ['CUS-9'] }))
        .thenMatches([{ type: 'CustomersContacted' }]);
    });

    it('needs at least one customer', () => {
      given(opened())
        .when(command.contact({ customerRefs: [] }))
        .thenThrows(FieldRequired, { kind: 'invalid' });
    });

    it('is refused after resolution', () => {
      given(anIncidentHistory(clock, { until: 'resolved' }))
        .when(command.contact())
        .thenThrows(InvalidIncidentTransition, { kind: 'conflict', code: 'INCIDENT.INVALID_TRANSITION' });
    });
  });

  describe('temporary measures follow the first contact', () => {
    it('records a temporary measure in containment', () => {
      given(anIncidentHistory(clock, { until: 'contained' }))
        .when(
          command.measure({
            measure: 'temporary-refund',
            description: 'Refunded pending replacement',
            customerRefs: ['CUS-1'],
          }),
        )
        .thenMatches([
          {
            type: 'TemporaryMeasureRecorded',
            data: { measure: 'temporary-refund', description: 'Refunded pending replacement', customerRefs: ['CUS-1'] },
          },
        ]);
    });

    it('is refused before any customer was contacted', () => {
      const error = given(opened()).when(command.measure()).thenThrows(InvalidIncidentTransition, { kind: 'conflict' });
      expect(error.rule).toBe(incidentRules.measuresInContainment);
    });
  });

  // Issue 13; seed 004 §4(二)1 (「第一時間聯系客戶」, 一級30分鐘內…三級2小時內): each affected customer is contacted in
  // time; contacting one does not stop the clock for the others. Policy contactSharePercent: all (100) by default.
  describe('contact is per affected customer: the deadline is met when the policy share of them was contacted in time', () => {
    /** An L3 incident opened 08:00 (due 10:00) with complaints from CUS-1, CUS-2 and CUS-3 attached. */
    const withThreeCustomers = (decider = incidentDecider) =>
      historyOf(decider, [
        command.declare({ level: 'L3' }),
        command.attach({ complaintId: 'CMP-1', customerRef: 'CUS-1' }),
        command.attach({ complaintId: 'CMP-2', customerRef: 'CUS-2' }),
        command.attach({ complaintId: 'CMP-3', customerRef: 'CUS-3' }),
      ]);

    it('contacting one of three customers does not stop the clock for the others', () => {
      const history = withThreeCustomers();
      clock.advance({ minutes: 30 });
      const contacted = historyOf(incidentDecider, [command.contact({ customerRefs: ['CUS-1'] })], history);
      clock.advance({ minutes: 90 });
      given(contacted)
        .when(command.flagBreach())
        .thenMatches([
          { type: 'ContactDeadlineBreached', data: { contacted: 1, required: 3, escalatedTo: 'cs-director' } },
          {
            type: 'ResponseTeamPaged',
            data: {
              trigger: 'contact-deadline-breach',
              reason: '1 of the 3 customers required contacted by the L3 contact deadline 2026-11-25T10:00:00.000Z',
            },
          },
        ]);
    });

    it('every customer contacted in time, in two calls, meets the deadline', () => {
      const history = withThreeCustomers();
      clock.advance({ minutes: 30 });
      const contacted = historyOf(
        incidentDecider,
        [command.contact({ customerRefs: ['CUS-1'] }), command.contact({ customerRefs: ['CUS-2', 'CUS-3'] })],
        history,
      );
      clock.advance({ minutes: 90 });
      given(contacted).when(command.flagBreach()).thenNothing();
    });

    it('a tenant requiring half of them is satisfied by two of three (rounded up)', () => {
      const half = createIncidentDecider(resolvePolicy({ contactSharePercent: { L3: 50 } }));
      const history = withThreeCustomers(half);
      clock.advance({ minutes: 30 });
      const one = historyOf(half, [command.contact({ customerRefs: ['CUS-1'] })], history);
      const two = historyOf(half, [command.contact({ customerRefs: ['CUS-2'] })], one);
      clock.advance({ minutes: 90 });
      specOf(half)(one)
        .when(command.flagBreach())
        .thenMatches([
          { type: 'ContactDeadlineBreached', data: { contacted: 1, required: 2 } },
          { type: 'ResponseTeamPaged' },
        ]);
      specOf(half)(two).when(command.flagBreach()).thenNothing();
    });

    it("after an upgrade that restarted the deadline, only contacts since the upgrade count toward the new level's", () => {
      // L3 at 08:00; CUS-1..3 contacted 08:30; raised to L2 at 09:00 → due 10:00 again from the upgrade; only CUS-1
      // contacted again by then: 1 of 3.
      const history = withThreeCustomers();
      clock.advance({ minutes: 30 });
      const contacted = historyOf(
        incidentDecider,
        [command.contact({ customerRefs: ['CUS-1', 'CUS-2', 'CUS-3'] })],
        history,
      );
      clock.advance({ minutes: 30 });
      const upgraded = historyOf(incidentDecider, [command.upgrade({ toLevel: 'L2' })], contacted);
      expect(upgraded.at(-1)).toMatchObject({
        type: 'ContactDeadlineSet',
        data: { level: 'L2', startedAt: '2026-11-25T09:00:00.000Z', dueAt: '2026-11-25T10:00:00.000Z' },
      });
      clock.advance({ minutes: 10 });
      const recontacted = historyOf(incidentDecider, [command.contact({ customerRefs: ['CUS-1'] })], upgraded);
      clock.advance({ minutes: 50 });
      given(recontacted)
        .when(command.flagBreach())
        .thenMatches([
          {
            type: 'ContactDeadlineBreached',
            data: { level: 'L2', contacted: 1, required: 3, escalatedTo: 'general-manager' },
          },
          { type: 'ResponseTeamPaged' },
        ]);
    });
  });

  describe('contact deadline breach: fires once and pages the next tier up the escalation ladder', () => {
    it('L3 breached at 10:00 pages the CS director, above the CS manager who leads L3', () => {
      const history = opened('L3');
      clock.advance({ hours: 2 });
      const audit = {
        incidentId: 'INC-1',
        actor: { id: 'incidents.timer', role: 'system' },
        at: '2026-11-25T10:00:00.000Z',
      };
      given(history)
        .when(command.flagBreach())
        .then([
          {
            type: 'ContactDeadlineBreached',
            data: {
              ...audit,
              level: 'L3',
              dueAt: '2026-11-25T10:00:00.000Z',
              escalatedTo: 'cs-director',
              contacted: 0,
              required: 1,
            },
          },
          {
            type: 'ResponseTeamPaged',
            data: {
              ...audit,
              level: 'L3',
              team: { lead: 'cs-director', members: [] },
              trigger: 'contact-deadline-breach',
              reason: 'No customer contacted by the L3 contact deadline 2026-11-25T10:00:00.000Z',
            },
          },
        ]);
    });

    it.each([
      ['L2', 60, 'general-manager'],
      ['L1', 30, 'general-manager'],
    ] as const)('%s breached after %i min pages %s', (level, minutes, escalatedTo) => {
      const history = opened(level);
      clock.advance({ minutes });
      given(history)
        .when(command.flagBreach())
        .thenMatches([
          { type: 'ContactDeadlineBreached', data: { escalatedTo } },
          { type: 'ResponseTeamPaged', data: { team: { lead: escalatedTo } } },
        ]);
    });

    it('fires once', () => {
      const history = opened();
      clock.advance({ hours: 2 });
      const breached = historyOf(incidentDecider, [command.flagBreach()], history);
      clock.advance({ minutes: 5 });
      given(breached).when(command.flagBreach()).thenNothing();
    });

    it('breaches the tightened deadline after an upgrade', () => {
      // L3 at 08:00 → due 10:00; L2 at 08:20 → due 09:20. At 09:20 the L2 lead (CS director) is escalated to the GM.
      const history = opened('L3');
      clock.advance({ minutes: 20 });
      const upgraded = historyOf(incidentDecider, [command.upgrade({ toLevel: 'L2' })], history);
      clock.advance({ hours: 1 });
      given(upgraded)
        .when(command.flagBreach())
        .thenMatches([
          {
            type: 'ContactDeadlineBreached',
            data: { level: 'L2', dueAt: '2026-11-25T09:20:00.000Z', escalatedTo: 'general-manager' },
          },
          { type: 'ResponseTeamPaged' },
        ]);
    });

    it('refuses a timer firing before the deadline', () => {
      const history = opened();
      clock.advance({ minutes: 119 });
      given(history)
        .when(command.flagBreach())
        .thenThrows(ContactDeadlineNotDue, { kind: 'conflict', code: 'INCIDENT.CONTACT_DEADLINE_NOT_DUE' });
    });

    it('flags nothing once the customers were contacted in time', () => {
      const history = opened();
      clock.advance({ hours: 1 });
      const contacted = historyOf(incidentDecider, [command.contact()], history);
      clock.advance({ hours: 1 });
      given(contacted).when(command.flagBreach()).thenNothing();
    });

    it('a late contact does not meet the deadline: a timer firing after it still flags the breach', () => {
      const history = opened();
      clock.advance({ hours: 3 });
      const contacted = historyOf(incidentDecider, [command.contact()], history);
      given(contacted)
        .when(command.flagBreach())
        .thenMatches([
          { type: 'ContactDeadlineBreached', data: { contacted: 0, required: 1 } },
          { type: 'ResponseTeamPaged' },
        ]);
    });

    it('follows the tenant’s escalation ladder', () => {
      const decider = createIncidentDecider(
        resolvePolicy({ escalationLadder: ['cs-manager', 'supervisor', 'general-manager'] }),
      );
      const history = historyOf(decider, [command.declare({ level: 'L3' })]);
      clock.advance({ hours: 2 });
      specOf(decider)(history)
        .when(command.flagBreach())
        .thenMatches([
          { type: 'ContactDeadlineBreached', data: { escalatedTo: 'supervisor' } },
          { type: 'ResponseTeamPaged' },
        ]);
    });
  });
});
