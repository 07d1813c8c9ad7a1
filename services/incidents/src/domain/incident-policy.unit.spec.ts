import {
  approversOf,
  contactDueAt,
  defaultIncidentPolicy,
  escalationTargetAbove,
  InvalidIncidentPolicy,
  levelForCount,
  customersRequired,
  levelForFlags,
  levelForSpread,
  resolvePolicy,
  retrospectiveDueAt,
} from './incident-policy';
import { noComplaintFlags, type ComplaintFlags } from './incident.values';

const noFlags: ComplaintFlags = noComplaintFlags;
const policy = defaultIncidentPolicy;

describe('Incident policy', () => {
  describe('defaults are the numbers of domain.md §5 and §6', () => {
    it('counts over the cluster episode (no window) and grades 1 / 10 / 100 customers as L3 / L2 / L1', () => {
      expect(policy.clustering).toMatchObject({ windowHours: null, levelThresholds: { L3: 1, L2: 10, L1: 100 } });
    });

    it('grades geographic spread: 3 regions reach L2, 10 reach L1', () => {
      expect(levelForSpread(1, policy)).toBeNull();
      expect(levelForSpread(3, policy)).toBe('L2');
      expect(levelForSpread(9, policy)).toBe('L2');
      expect(levelForSpread(10, policy)).toBe('L1');
    });

    it('requires every affected customer contacted in time and confirming, and gives level 1 to emergency leadership', () => {
      expect(policy.contactSharePercent).toEqual({ L1: 100, L2: 100, L3: 100 });
      expect(policy.confirmationSharePercent).toEqual({ L1: 100, L2: 100, L3: 100 });
      expect(policy.levelOneAuthority).toEqual(['incident-commander', 'cs-director', 'general-manager', 'system']);
    });

    it('a share of customers is rounded up, and at least one', () => {
      expect(customersRequired(10, 100)).toBe(10);
      expect(customersRequired(10, 33)).toBe(4);
      expect(customersRequired(3, 50)).toBe(2);
      expect(customersRequired(100, 7)).toBe(7);
      expect(customersRequired(0, 100)).toBe(1);
    });

    it('gives L1 / L2 / L3 contact deadlines of 30 / 60 / 120 min, targets of 90 / 85 / 80 % and retrospectives due in 24 / 48 / 72 h', () => {
      expect(policy.contactDeadlineMinutes).toEqual({ L1: 30, L2: 60, L3: 120 });
      expect(policy.satisfactionTargetPercent).toEqual({ L1: 90, L2: 85, L3: 80 });
      expect(policy.retrospectiveDueHours).toEqual({ L1: 24, L2: 48, L3: 72 });
    });

    it('pages the general manager with PR and legal at L1, the CS director with tech and logistics at L2, the CS manager with tech support at L3', () => {
      expect(policy.responseTeams).toEqual({
        L1: { lead: 'general-manager', members: ['pr', 'legal'] },
        L2: { lead: 'cs-director', members: ['tech-support', 'logistics'] },
        L3: { lead: 'cs-manager', members: ['tech-support'] },
      });
      expect(policy.escalationLadder).toEqual(['cs-manager', 'cs-director', 'general-manager']);
    });
  });

  describe('recurrence window (seed 004 §7(二) 「復發率」: the same problem recurring)', () => {
    it('is 30 days by default; a tenant sets its own whole number of days, at least one', () => {
      expect(policy.recurrenceWindowDays).toBe(30);
      expect(resolvePolicy({ recurrenceWindowDays: 90 }).recurrenceWindowDays).toBe(90);
      expect(() => resolvePolicy({ recurrenceWindowDays: 0 })).toThrow(InvalidIncidentPolicy);
      expect(() => resolvePolicy({ recurrenceWindowDays: 1.5 })).toThrow(InvalidIncidentPolicy);
    });
  });

  describe('level thresholds: 1–9 → L3, 10–99 → L2, ≥100 → L1', () => {
    it.each([
      [0, null],
      [1, 'L3'],
      [9, 'L3'],
      [10, 'L2'],
      [99, 'L2'],
      [100, 'L1'],
      [120, 'L1'],
    ] as const)('%i complaining customers → %s', (count, level) => {
      expect(levelForCount(count, policy)).toBe(level);
    });

    it('reads the thresholds from the tenant policy, never from constants', () => {
      const strict = resolvePolicy({ clustering: { levelThresholds: { L2: 5, L1: 50 } } });
      expect(levelForCount(5, strict)).toBe('L2');
      expect(levelForCount(50, strict)).toBe('L1');
    });
  });

  describe('flags force a level at once', () => {
    it.each([
      ['injury', 'L1'],
      ['propertyLoss', 'L1'],
      ['mediaExposure', 'L1'],
      ['legalThreat', 'L1'],
      ['groupEvent', 'L1'],
      ['brandRisk', 'L1'],
      ['regionalOutage', 'L2'],
      ['majorCustomerLoss', 'L2'],
    ] as const)('%s → %s', (flag, level) => {
      expect(levelForFlags({ ...noFlags, [flag]: true }, policy)).toBe(level);
    });

    it('no flag forces nothing; several flags force the most severe', () => {
      expect(levelForFlags(noFlags, policy)).toBeNull();
      expect(levelForFlags({ ...noFlags, legalThreat: true, injury: true }, policy)).toBe('L1');
    });

    // CONTEXT: seed 000 §3.5.3 sends legal disputes straight to senior management (level 1, whose team has legal);
    // a tenant may still grade them otherwise.
    it('lets a tenant grade legal threats as L2', () => {
      const relaxed = resolvePolicy({ clustering: { flagLevels: { legalThreat: 'L2' } } });
      expect(levelForFlags({ ...noFlags, legalThreat: true }, relaxed)).toBe('L2');
    });

    // CONTEXT: seed 000 §3.5.3 sends group events (「群體性事件」) straight to senior management with the emergency plan;
    // seed 004 §3(二) grades wide impact with injury and property loss as level 1. A tenant may grade them otherwise.
    it('lets a tenant grade group events as L2, or as nothing', () => {
      const groupEvent = { ...noFlags, groupEvent: true };
      expect(levelForFlags(groupEvent, resolvePolicy({ clustering: { flagLevels: { groupEvent: 'L2' } } }))).toBe('L2');
      expect(levelForFlags(groupEvent, resolvePolicy({ clustering: { flagLevels: { groupEvent: null } } }))).toBeNull();
    });

    it('a tenant policy saved before group events were graded gets the L1 default for them', () => {
      const savedBefore = resolvePolicy({
        clustering: { flagLevels: { injury: 'L1', propertyLoss: 'L2', mediaExposure: 'L1', legalThreat: 'L1' } },
      });
      expect(savedBefore.clustering.flagLevels.groupEvent).toBe('L1');
      expect(levelForFlags({ ...noFlags, groupEvent: true }, savedBefore)).toBe('L1');
    });
  });

  describe('deadlines are computed from the policy', () => {
    it('contact is due 30 min after an L1 activation, 120 min after an L3 one', () => {
      const activatedAt = new Date('2026-11-25T08:00:00.000Z');
      expect(contactDueAt('L1', activatedAt, policy).toISOString()).toBe('2026-11-25T08:30:00.000Z');
      expect(contactDueAt('L3', activatedAt, policy).toISOString()).toBe('2026-11-25T10:00:00.000Z');
    });

    it('the retrospective is due 48 h after an L2 resolution', () => {
      const resolvedAt = new Date('2026-11-25T08:00:00.000Z');
      expect(retrospectiveDueAt('L2', resolvedAt, policy).toISOString()).toBe('2026-11-27T08:00:00.000Z');
    });
  });

  describe('escalation ladder for a breach: cs-manager → cs-director → general-manager', () => {
    it.each([
      ['cs-manager', 'cs-director'],
      ['cs-director', 'general-manager'],
      ['general-manager', 'general-manager'],
      ['someone-off-the-ladder', 'general-manager'],
    ])('a breach under %s pages %s', (lead, next) => {
      expect(escalationTargetAbove(lead, policy)).toBe(next);
    });
  });

  describe('solution approvers: L1 emergency leadership, L2/L3 department head, recalls emergency leadership', () => {
    it('names the roles per level', () => {
      expect(approversOf('L1', 'replace', policy)).toEqual(['incident-commander', 'general-manager']);
      expect(approversOf('L2', 'replace', policy)).toEqual(['cs-director']);
      expect(approversOf('L3', 'replace', policy)).toEqual(['cs-manager', 'cs-director']);
    });

    it('needs emergency leadership for a recall whatever the level', () => {
      expect(approversOf('L3', 'recall', policy)).toEqual(['incident-commander', 'general-manager']);
    });
  });

  describe('resolvePolicy merges a tenant override into the defaults', () => {
    it('changes only what is overridden, at any depth', () => {
      const tenant = resolvePolicy({
        contactDeadlineMinutes: { L1: 15 },
        responseTeams: { L3: { lead: 'supervisor' } },
      });
      expect(tenant.contactDeadlineMinutes).toEqual({ L1: 15, L2: 60, L3: 120 });
      expect(tenant.responseTeams.L3).toEqual({ lead: 'supervisor', members: ['tech-support'] });
      expect(tenant.responseTeams.L1).toEqual(policy.responseTeams.L1);
    });

    it('replaces lists whole', () => {
      expect(resolvePolicy({ escalationLadder: ['supervisor', 'general-manager'] }).escalationLadder).toEqual([
        'supervisor',
        'general-manager',
      ]);
    });

    it('leaves the defaults untouched', () => {
      resolvePolicy({ clustering: { windowHours: 48 } });
      expect(defaultIncidentPolicy.clustering.windowHours).toBeNull();
    });

    it.each([
      ['thresholds out of order', { clustering: { levelThresholds: { L2: 150 } } }],
      ['a zero window', { clustering: { windowHours: 0 } }],
      ['spread thresholds out of order', { clustering: { regionThresholds: { L2: 12 } } }],
      ['a contact share of 0', { contactSharePercent: { L2: 0 } }],
      ['a confirmation share above 100', { confirmationSharePercent: { L1: 120 } }],
      ['nobody with level-1 authority', { levelOneAuthority: [] }],
      ['a target above 100 %', { satisfactionTargetPercent: { L1: 120 } }],
      ['nobody to approve L2 solutions', { solutionApprovers: { L2: [] } }],
      ['an empty escalation ladder', { escalationLadder: [] }],
    ])('refuses %s', (_, overrides) => {
      expect(() => resolvePolicy(overrides)).toThrow(InvalidIncidentPolicy);
    });
  });
});
