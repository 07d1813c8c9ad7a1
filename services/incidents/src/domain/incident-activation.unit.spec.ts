import { historyOf, specOf, stateOf } from '@aftersales/testing/decider';
import {
  DowngradeNotAllowed,
  FieldRequired,
  IncidentAlreadyOpened,
  IncidentNotFound,
  incidentRules,
  InvalidIncidentTransition,
  InvalidLevelChange,
  ReasonRequired,
  SelfMerge,
} from './incident.errors';
import { createIncidentDecider, incidentDecider } from './incident.decider';
import { resolvePolicy } from './incident-policy';
import type { IncidentEvent } from './incident.events';
import { actors } from './testing/actors.fixture';
import { anIncidentHistory, incidentCommands } from './testing/incident.builder';
import { TestClock } from './testing/test-clock';
import { noComplaintFlags } from './incident.values';

const given = specOf(incidentDecider);

let clock: TestClock;
let command: ReturnType<typeof incidentCommands>;
beforeEach(() => {
  clock = new TestClock('2026-11-25T08:00:00.000Z');
  command = incidentCommands(clock);
});

const opened = (overrides: Parameters<typeof command.declare>[0] = {}): IncidentEvent[] =>
  historyOf(incidentDecider, [command.declare(overrides)]);

describe('Incident activation and levels', () => {
  describe('activation: an incident opens from a cluster crossing or a manual declaration, graded, its team paged', () => {
    it('opens from a cluster crossing: grading form, L3 team paged, contact due in 2 h', () => {
      const audit = {
        incidentId: 'INC-1',
        actor: { id: 'incidents.cluster-watch', role: 'system' },
        at: '2026-11-25T08:00:00.000Z',
      };
      const reason = '1 customers within 24 h reached the L3 threshold of 1';
      given([])
        .when(command.open())
        .then([
          {
            type: 'IncidentOpened',
            data: {
              ...audit,
              tenant: 'shop-1',
              category: 'product-quality',
              summary: 'product-quality cluster sku:BAT-100|batch:B-7',
              source: {
                kind: 'cluster',
                clusterKey: 'sku:BAT-100|batch:B-7',
                complaintCount: 1,
                flags: noComplaintFlags,
              },
              level: 'L3',
              reason,
            },
          },
          {
            type: 'ResponseTeamPaged',
            data: {
              ...audit,
              level: 'L3',
              team: { lead: 'cs-manager', members: ['tech-support'] },
              trigger: 'activation',
              reason,
            },
          },
          {
            type: 'ContactDeadlineSet',
            data: {
              ...audit,
              level: 'L3',
              // 08:00 + 120 min
              dueAt: '2026-11-25T10:00:00.000Z',
              previousDueAt: null,
              startedAt: '2026-11-25T08:00:00.000Z',
              reason: 'L3 contact deadline of 120 min from activation',
            },
          },
        ]);
    });

    it('declares an L1 incident by hand: general manager, PR and legal paged, contact due in 30 min', () => {
      given([])
        .when(command.declare({ level: 'L1', reason: 'Customer burnt by a swelling battery' }, actors.csDirector))
        .thenMatches([
          {
            type: 'IncidentOpened',
            data: { level: 'L1', source: { kind: 'manual' }, actor: { id: 'dir-1', role: 'cs-director' } },
          },
          { type: 'ResponseTeamPaged', data: { team: { lead: 'general-manager', members: ['pr', 'legal'] } } },
          { type: 'ContactDeadlineSet', data: { dueAt: '2026-11-25T08:30:00.000Z' } },
        ]);
    });

    it('pages the CS director with tech support and logistics at L2, contact due in 1 h', () => {
      given([])
        .when(command.declare({ level: 'L2' }))
        .thenMatches([
          { type: 'IncidentOpened' },
          {
            type: 'ResponseTeamPaged',
            data: { team: { lead: 'cs-director', members: ['tech-support', 'logistics'] } },
          },
          { type: 'ContactDeadlineSet', data: { dueAt: '2026-11-25T09:00:00.000Z' } },
        ]);
    });

    it('starts in activation', () => {
      expect(stateOf(incidentDecider, opened())).toMatchObject({ status: 'activation', incident: { level: 'L3' } });
    });

    it('opens an incident once', () => {
      given(opened())
        .when(command.open())
        .thenThrows(IncidentAlreadyOpened, { kind: 'conflict', code: 'INCIDENT.ALREADY_OPENED' });
    });

    it('needs a reason and a summary for a declaration', () => {
      given([])
        .when(command.declare({ reason: ' ' }))
        .thenThrows(ReasonRequired, { kind: 'invalid', code: 'INCIDENT.REASON_REQUIRED' });
      given([])
        .when(command.declare({ summary: '' }))
        .thenThrows(FieldRequired, { kind: 'invalid', code: 'INCIDENT.FIELD_REQUIRED' });
    });

    it('refuses any other command for an incident never opened', () => {
      given([]).when(command.contact()).thenThrows(IncidentNotFound, { kind: 'not_found', code: 'INCIDENT.NOT_FOUND' });
      given([]).when(command.flagBreach()).thenThrows(IncidentNotFound, { kind: 'not_found' });
    });
  });

  describe('upgrade: pages the new level’s team and tightens the contact deadline, never later than the current one', () => {
    it('L3 → L2 twenty minutes in: contact due 09:20 instead of 10:00', () => {
      // Opened 08:00 at L3 → due 10:00. Upgraded 08:20 to L2 → 08:20 + 60 min = 09:20, stricter than 10:00.
      const history = opened();
      clock.advance({ minutes: 20 });
      const audit = {
        incidentId: 'INC-1',
        actor: { id: 'incidents.cluster-watch', role: 'system' },
        at: '2026-11-25T08:20:00.000Z',
      };
      const reason = '10 customers within 24 h reached the L2 threshold of 10';
      given(history)
        .when(command.upgrade({ toLevel: 'L2', reason }))
        .then([
          { type: 'IncidentUpgraded', data: { ...audit, from: 'L3', to: 'L2', reason } },
          {
            type: 'ResponseTeamPaged',
            data: {
              ...audit,
              level: 'L2',
              team: { lead: 'cs-director', members: ['tech-support', 'logistics'] },
              trigger: 'upgrade',
              reason,
            },
          },
          {
            type: 'ContactDeadlineSet',
            data: {
              ...audit,
              level: 'L2',
              dueAt: '2026-11-25T09:20:00.000Z',
              previousDueAt: '2026-11-25T10:00:00.000Z',
              reason: 'L2 contact deadline of 60 min from the upgrade is stricter',
            },
          },
        ]);
    });

    it('keeps the current deadline when the new level’s would come later', () => {
      // Opened 08:00 at L3 → due 10:00. Upgraded 09:30 to L2 → 10:30 would be later: 10:00 stays.
      const history = opened();
      clock.advance({ minutes: 90 });
      given(history)
        .when(command.upgrade({ toLevel: 'L2' }))
        .thenMatches([{ type: 'IncidentUpgraded' }, { type: 'ResponseTeamPaged', data: { level: 'L2' } }]);
    });

    // Issue 13, seed 004 §4(二)1 (「一級事件30分鐘內,二級事件1小時內,三級事件2小時內」): the level's contact time applies
    // to the level the incident now has, so raising it after the first contact starts that level's deadline.
    it("after the first contact, starts the new level's contact deadline from the upgrade", () => {
      const history = anIncidentHistory(clock, { until: 'contained' });
      const upgradedAt = clock.now();
      given(history)
        .when(command.upgrade({ toLevel: 'L1' }))
        .thenMatches([
          { type: 'IncidentUpgraded', data: { from: 'L3', to: 'L1' } },
          { type: 'ResponseTeamPaged', data: { level: 'L1' } },
          {
            type: 'ContactDeadlineSet',
            data: {
              level: 'L1',
              startedAt: upgradedAt.toISOString(),
              dueAt: new Date(upgradedAt.getTime() + 30 * 60_000).toISOString(),
            },
          },
        ]);
    });

    it('is a no-op to the level the incident already has (cluster and a human may both raise it)', () => {
      given(opened({ level: 'L2' }))
        .when(command.upgrade({ toLevel: 'L2' }))
        .thenNothing();
    });

    it('refuses to "upgrade" to a less severe level', () => {
      given(opened({ level: 'L2' }))
        .when(command.upgrade({ toLevel: 'L3' }))
        .thenThrows(InvalidLevelChange, { kind: 'conflict', code: 'INCIDENT.INVALID_LEVEL_CHANGE' });
    });

    it('needs a reason', () => {
      given(opened())
        .when(command.upgrade({ reason: '' }))
        .thenThrows(ReasonRequired, { kind: 'invalid' });
    });

    it('is refused once the incident is resolved', () => {
      const resolved = anIncidentHistory(clock, { until: 'resolved' });
      const error = given(resolved)
        .when(command.upgrade({ toLevel: 'L1' }))
        .thenThrows(InvalidIncidentTransition, { kind: 'conflict', code: 'INCIDENT.INVALID_TRANSITION' });
      expect(error.rule).toBe(incidentRules.levelChangeWhileHandling);
    });
  });

  // Seed 004 §4(一)2: 「由應急領導小組(一級事件)或客服負責人(二級、三級事件)…判定等級」; issue 13: only emergency
  // leadership (incident commander, customer-service director, general manager) declares or raises to level 1.
  describe('grading authority: level 1 is declared or raised only by emergency leadership; others propose, and the proposal is paged', () => {
    it.each([actors.incidentCommander, actors.csDirector, actors.generalManager])('$id declares level 1', (actor) => {
      given([])
        .when(command.declare({ level: 'L1' }, actor))
        .thenMatches([
          { type: 'IncidentOpened', data: { level: 'L1' } },
          { type: 'ResponseTeamPaged', data: { trigger: 'activation', level: 'L1' } },
          { type: 'ContactDeadlineSet', data: { level: 'L1' } },
        ]);
    });

    it('a cs-manager asking for level 1 declares level 2 and the proposal pages the level-1 lead and leadership', () => {
      given([])
        .when(command.declare({ level: 'L1', reason: 'Video of a burning battery on social media' }, actors.csManager))
        .thenMatches([
          { type: 'IncidentOpened', data: { level: 'L2' } },
          { type: 'ResponseTeamPaged', data: { trigger: 'activation', level: 'L2' } },
          { type: 'ContactDeadlineSet', data: { level: 'L2' } },
          {
            type: 'LevelOneProposed',
            data: { level: 'L2', reason: 'Video of a burning battery on social media', actor: { role: 'cs-manager' } },
          },
          {
            type: 'ResponseTeamPaged',
            data: {
              trigger: 'level-one-proposal',
              level: 'L1',
              team: { lead: 'general-manager', members: ['incident-commander', 'cs-director'] },
            },
          },
        ]);
    });

    it('a supervisor asking to raise an L3 incident to level 1 raises it to L2 and proposes L1', () => {
      given(opened())
        .when(command.upgrade({ toLevel: 'L1', reason: 'A customer threatens to go to the press' }, actors.agent))
        .thenMatches([
          { type: 'IncidentUpgraded', data: { from: 'L3', to: 'L2' } },
          { type: 'ResponseTeamPaged', data: { trigger: 'upgrade', level: 'L2' } },
          { type: 'ContactDeadlineSet' },
          { type: 'LevelOneProposed', data: { level: 'L2' } },
          { type: 'ResponseTeamPaged', data: { trigger: 'level-one-proposal', level: 'L1' } },
        ]);
    });

    it('tech support asking to raise an L2 incident to level 1 only proposes it', () => {
      given(opened({ level: 'L2' }))
        .when(command.upgrade({ toLevel: 'L1' }, actors.techSupport))
        .thenMatches([
          { type: 'LevelOneProposed', data: { level: 'L2' } },
          { type: 'ResponseTeamPaged', data: { trigger: 'level-one-proposal' } },
        ]);
    });

    it('the cluster watch grades level 1 by the standard while the tenant gives it the authority (default)', () => {
      given(opened({ level: 'L2' }))
        .when(command.upgrade({ toLevel: 'L1' }))
        .thenMatches([
          { type: 'IncidentUpgraded', data: { to: 'L1' } },
          { type: 'ResponseTeamPaged' },
          { type: 'ContactDeadlineSet' },
        ]);
    });

    it('a tenant that takes the authority from the cluster watch gets proposals from it', () => {
      const strict = createIncidentDecider(
        resolvePolicy({ levelOneAuthority: ['incident-commander', 'cs-director', 'general-manager'] }),
      );
      specOf(strict)([])
        .when(
          command.open({
            level: 'L1',
            reason: '100 customers over the cluster episode reached the L1 threshold of 100',
          }),
        )
        .thenMatches([
          { type: 'IncidentOpened', data: { level: 'L2' } },
          { type: 'ResponseTeamPaged' },
          { type: 'ContactDeadlineSet' },
          { type: 'LevelOneProposed' },
          { type: 'ResponseTeamPaged', data: { trigger: 'level-one-proposal' } },
        ]);
    });
  });

  describe('downgrade: reason required, only by the roles the policy allows for the level being left', () => {
    it('the CS director downgrades L2 → L3; no page, and the contact deadline stays', () => {
      const history = opened({ level: 'L2' });
      clock.advance({ minutes: 10 });
      given(history)
        .when(command.downgrade({ toLevel: 'L3', reason: 'Only one retailer affected' }, actors.csDirector))
        .then([
          {
            type: 'IncidentDowngraded',
            data: {
              incidentId: 'INC-1',
              actor: { id: 'dir-1', role: 'cs-director' },
              at: '2026-11-25T08:10:00.000Z',
              from: 'L2',
              to: 'L3',
              reason: 'Only one retailer affected',
            },
          },
        ]);
    });

    it('keeps the contact deadline of the higher level after a downgrade', () => {
      const history = historyOf(incidentDecider, [command.downgrade({ toLevel: 'L3' })], opened({ level: 'L2' }));
      expect(stateOf(incidentDecider, history)).toMatchObject({
        incident: { level: 'L3', contactDueAt: '2026-11-25T09:00:00.000Z' },
      });
    });

    it('refuses a CS manager downgrading L2', () => {
      given(opened({ level: 'L2' }))
        .when(command.downgrade({ toLevel: 'L3' }, actors.csManager))
        .thenThrows(DowngradeNotAllowed, { kind: 'forbidden', code: 'INCIDENT.DOWNGRADE_FORBIDDEN' });
    });

    it('leaves L1 only by emergency leadership', () => {
      given(opened({ level: 'L1' }))
        .when(command.downgrade({ toLevel: 'L2' }, actors.csDirector))
        .thenThrows(DowngradeNotAllowed, { kind: 'forbidden' });
      given(opened({ level: 'L1' }))
        .when(command.downgrade({ toLevel: 'L2' }, actors.incidentCommander))
        .thenMatches([
          { type: 'IncidentDowngraded', data: { from: 'L1', to: 'L2', actor: { role: 'incident-commander' } } },
        ]);
    });

    it('records the role that allowed it when the actor holds several', () => {
      given(opened({ level: 'L2' }))
        .when(command.downgrade({ toLevel: 'L3' }, { id: 'dir-2', roles: ['agent', 'cs-director'] }))
        .thenMatches([{ type: 'IncidentDowngraded', data: { actor: { id: 'dir-2', role: 'cs-director' } } }]);
    });

    it('refuses a "downgrade" to the same or a more severe level', () => {
      given(opened({ level: 'L2' }))
        .when(command.downgrade({ toLevel: 'L2' }))
        .thenThrows(InvalidLevelChange, { kind: 'conflict' });
      given(opened({ level: 'L2' }))
        .when(command.downgrade({ toLevel: 'L1' }))
        .thenThrows(InvalidLevelChange, { kind: 'conflict' });
    });

    it('needs a reason', () => {
      given(opened({ level: 'L2' }))
        .when(command.downgrade({ reason: '  ' }))
        .thenThrows(ReasonRequired, { kind: 'invalid' });
    });
  });

  describe('merge: a duplicate ends in its survivor, which absorbs its level and deadline', () => {
    it('ends the duplicate, handing its level and running deadline to the survivor', () => {
      given(opened({ level: 'L2' }))
        .when(command.merge({ survivorId: 'INC-0', reason: 'Same batch as INC-0' }))
        .thenMatches([
          {
            type: 'IncidentMerged',
            data: {
              survivorId: 'INC-0',
              level: 'L2',
              contactDueAt: '2026-11-25T09:00:00.000Z',
              reason: 'Same batch as INC-0',
            },
          },
        ]);
    });

    it('hands over no deadline once its customers were contacted', () => {
      given(anIncidentHistory(clock, { until: 'contained' }))
        .when(command.merge())
        .thenMatches([{ type: 'IncidentMerged', data: { contactDueAt: null } }]);
    });

    it('accepts nothing more after the merge', () => {
      const merged = historyOf(incidentDecider, [command.merge()], opened());
      expect(stateOf(incidentDecider, merged)).toMatchObject({ status: 'merged', survivorId: 'INC-0' });
      given(merged).when(command.contact()).thenThrows(InvalidIncidentTransition, { kind: 'conflict' });
    });

    it('refuses to merge into itself, and needs a reason', () => {
      given(opened())
        .when(command.merge({ survivorId: 'INC-1' }))
        .thenThrows(SelfMerge, { kind: 'invalid', code: 'INCIDENT.SELF_MERGE' });
      given(opened())
        .when(command.merge({ reason: '' }))
        .thenThrows(ReasonRequired, { kind: 'invalid' });
    });

    it('upgrades a survivor that absorbs a more severe duplicate, to the strictest deadline of the two', () => {
      // Survivor: L3 at 08:00 → due 10:00. Duplicate: L1, due 08:35. Absorbed at 08:10:
      // min(10:00, 08:10 + 30 min = 08:40, 08:35) = 08:35.
      const history = opened();
      clock.advance({ minutes: 10 });
      given(history)
        .when(command.absorb({ duplicateId: 'INC-2', level: 'L1', contactDueAt: '2026-11-25T08:35:00.000Z' }))
        .thenMatches([
          { type: 'DuplicateAbsorbed', data: { duplicateId: 'INC-2', duplicateLevel: 'L1' } },
          {
            type: 'IncidentUpgraded',
            data: { from: 'L3', to: 'L1', reason: 'absorbed duplicate INC-2 at L1: Same batch' },
          },
          { type: 'ResponseTeamPaged', data: { level: 'L1', trigger: 'upgrade' } },
          {
            type: 'ContactDeadlineSet',
            data: { dueAt: '2026-11-25T08:35:00.000Z', previousDueAt: '2026-11-25T10:00:00.000Z' },
          },
        ]);
    });

    it('takes only the earlier deadline of a duplicate at the same level', () => {
      given(opened())
        .when(command.absorb({ level: 'L3', contactDueAt: '2026-11-25T09:00:00.000Z' }))
        .thenMatches([
          { type: 'DuplicateAbsorbed' },
          { type: 'ContactDeadlineSet', data: { level: 'L3', dueAt: '2026-11-25T09:00:00.000Z' } },
        ]);
    });

    it('absorbs a duplicate once', () => {
      const absorbed = historyOf(incidentDecider, [command.absorb()], opened());
      given(absorbed).when(command.absorb()).thenNothing();
    });
  });
});
