import type { CommandContext } from '@aftersales/domain';
import { historyOf } from '@aftersales/testing/decider';
import type { Decider } from '@aftersales/domain';
import type {
  AbsorbDuplicate,
  ApproveSolution,
  ArchiveIncident,
  AttachComplaint,
  CloseIncident,
  DeclareIncident,
  DowngradeIncident,
  FlagContactDeadlineBreach,
  FlagRetrospectiveOverdue,
  IncidentCommand,
  MergeIncident,
  OpenIncident,
  RecordCustomerConfirmation,
  RecordCustomersContacted,
  RecordFollowUp,
  RecordImplementation,
  RecordPrStatement,
  RecordQualityCheck,
  RecordRecallComplianceCheck,
  RecordRetrospective,
  RecordRootCause,
  RecordSatisfaction,
  RecordTemporaryMeasure,
  RemindRetrospective,
  ResolveIncident,
  UpgradeIncident,
} from '../incident.commands';
import { incidentDecider } from '../incident.decider';
import type { IncidentEvent } from '../incident.events';
import type { IncidentState } from '../incident.state';
import { noComplaintFlags, type IncidentCategory, type IncidentLevel } from '../incident.values';
import { actors, tenant } from './actors.fixture';
import type { TestClock } from './test-clock';

type Actor = CommandContext['actor'];

/**
 * Incident commands with defaults, decided at the clock's current time: `overrides` change the data, `actor` who
 * issues it. Defaults describe incident `INC-1`, a product-quality problem on battery batch B-7.
 *
 * @example
 * ```ts
 * const command = incidentCommands(clock);
 * command.upgrade({ toLevel: 'L2' });
 * command.approve({}, actors.generalManager);
 * ```
 */
export function incidentCommands(clock: TestClock, incidentId = 'INC-1') {
  const context = (actor: Actor): CommandContext => ({ tenant, actor, now: clock.now() });
  return {
    open: (overrides: Partial<OpenIncident['data']> = {}, actor: Actor = actors.clusterWatch): OpenIncident => ({
      type: 'OpenIncident',
      context: context(actor),
      data: {
        incidentId,
        category: 'product-quality',
        clusterKey: 'sku:BAT-100|batch:B-7',
        level: 'L3',
        complaintCount: 1,
        flags: { ...noComplaintFlags },
        reason: '1 customers within 24 h reached the L3 threshold of 1',
        ...overrides,
      },
    }),
    declare: (overrides: Partial<DeclareIncident['data']> = {}, actor: Actor = actors.csDirector): DeclareIncident => ({
      type: 'DeclareIncident',
      context: context(actor),
      data: {
        incidentId,
        category: 'product-quality',
        level: 'L3',
        summary: 'Batteries of batch B-7 swell after charging',
        reason: 'Reported by the warehouse QC team',
        ...overrides,
      },
    }),
    upgrade: (
      overrides: Partial<UpgradeIncident['data']> = {},
      actor: Actor = actors.clusterWatch,
    ): UpgradeIncident => ({
      type: 'UpgradeIncident',
      context: context(actor),
      data: { toLevel: 'L2', reason: '10 customers within 24 h reached the L2 threshold of 10', ...overrides },
    }),
    downgrade: (
      overrides: Partial<DowngradeIncident['data']> = {},
      actor: Actor = actors.csDirector,
    ): DowngradeIncident => ({
      type: 'DowngradeIncident',
      context: context(actor),
      data: { toLevel: 'L3', reason: 'Complaints traced to one retailer; reach is local', ...overrides },
    }),
    merge: (overrides: Partial<MergeIncident['data']> = {}, actor: Actor = actors.csDirector): MergeIncident => ({
      type: 'MergeIncident',
      context: context(actor),
      data: { survivorId: 'INC-0', reason: 'Same batch as INC-0, declared by hand', ...overrides },
    }),
    absorb: (overrides: Partial<AbsorbDuplicate['data']> = {}, actor: Actor = actors.csDirector): AbsorbDuplicate => ({
      type: 'AbsorbDuplicate',
      context: context(actor),
      data: { duplicateId: 'INC-2', level: 'L3', contactDueAt: null, reason: 'Same batch', ...overrides },
    }),
    contact: (
      overrides: Partial<RecordCustomersContacted['data']> = {},
      actor: Actor = actors.agent,
    ): RecordCustomersContacted => ({
      type: 'RecordCustomersContacted',
      context: context(actor),
      data: { customerRefs: ['CUS-1'], summary: 'Apologised, explained, committed a reply within 24 h', ...overrides },
    }),
    measure: (
      overrides: Partial<RecordTemporaryMeasure['data']> = {},
      actor: Actor = actors.agent,
    ): RecordTemporaryMeasure => ({
      type: 'RecordTemporaryMeasure',
      context: context(actor),
      data: { measure: 'spare-product', description: 'Spare battery sent by express', ...overrides },
    }),
    attach: (
      overrides: Partial<AttachComplaint['data']> = {},
      actor: Actor = actors.clusterWatch,
    ): AttachComplaint => ({
      type: 'AttachComplaint',
      context: context(actor),
      data: { complaintId: 'CMP-1', customerRef: 'CUS-1', ...overrides },
    }),
    remindRetrospective: (actor: Actor = actors.timer): RemindRetrospective => ({
      type: 'RemindRetrospective',
      context: context(actor),
      data: {},
    }),
    flagRetrospectiveOverdue: (actor: Actor = actors.timer): FlagRetrospectiveOverdue => ({
      type: 'FlagRetrospectiveOverdue',
      context: context(actor),
      data: {},
    }),
    flagBreach: (actor: Actor = actors.timer): FlagContactDeadlineBreach => ({
      type: 'FlagContactDeadlineBreach',
      context: context(actor),
      data: {},
    }),
    rootCause: (
      overrides: Partial<RecordRootCause['data']> = {},
      actor: Actor = actors.techSupport,
    ): RecordRootCause => ({
      type: 'RecordRootCause',
      context: context(actor),
      data: {
        rootCause: 'Separator film too thin in batch B-7',
        directCause: 'Cells overheat when charging',
        ...overrides,
      },
    }),
    approve: (overrides: Partial<ApproveSolution['data']> = {}, actor: Actor = actors.csManager): ApproveSolution => ({
      type: 'ApproveSolution',
      context: context(actor),
      data: { solution: { kind: 'replace', description: 'Replace every battery of batch B-7' }, ...overrides },
    }),
    implement: (
      overrides: Partial<RecordImplementation['data']> = {},
      actor: Actor = actors.logistics,
    ): RecordImplementation => ({
      type: 'RecordImplementation',
      context: context(actor),
      data: { progress: 'All replacements delivered', completed: true, ...overrides },
    }),
    confirm: (
      overrides: Partial<RecordCustomerConfirmation['data']> = {},
      actor: Actor = actors.agent,
    ): RecordCustomerConfirmation => ({
      type: 'RecordCustomerConfirmation',
      context: context(actor),
      data: { customerRef: 'CUS-1', satisfaction: 'satisfied', ...overrides },
    }),
    resolve: (overrides: Partial<ResolveIncident['data']> = {}, actor: Actor = actors.csManager): ResolveIncident => ({
      type: 'ResolveIncident',
      context: context(actor),
      data: { summary: 'Batch B-7 replaced', ...overrides },
    }),
    satisfaction: (
      overrides: Partial<RecordSatisfaction['data']> = {},
      actor: Actor = actors.surveys,
    ): RecordSatisfaction => ({
      type: 'RecordSatisfaction',
      context: context(actor),
      data: { percent: 95, responses: 40, surveyRef: 'SRV-1', ...overrides },
    }),
    followUp: (overrides: Partial<RecordFollowUp['data']> = {}, actor: Actor = actors.agent): RecordFollowUp => ({
      type: 'RecordFollowUp',
      context: context(actor),
      data: {
        action: 'additional-compensation',
        description: 'Offered a 50 coupon to dissatisfied customers',
        ...overrides,
      },
    }),
    retrospective: (
      overrides: Partial<RecordRetrospective['data']> = {},
      actor: Actor = actors.csManager,
    ): RecordRetrospective => ({
      type: 'RecordRetrospective',
      context: context(actor),
      data: {
        what: 'Batteries of batch B-7 swelled',
        why: 'Separator film below specification',
        who: 'Supplier S-3; QC sampling missed it',
        when: [{ at: '2026-11-24T12:00:00.000Z', what: 'Batch B-7 shipped' }],
        where: 'Batch B-7, all regions',
        how: 'Detected by complaint clustering; replaced every battery',
        improvementActions: [{ action: 'Sample separator thickness per batch', owner: 'quality' }],
        ...overrides,
      },
    }),
    qualityCheck: (
      overrides: Partial<RecordQualityCheck['data']> = {},
      actor: Actor = actors.quality,
    ): RecordQualityCheck => ({
      type: 'RecordQualityCheck',
      context: context(actor),
      data: { passed: true, findings: 'Replacement batteries sampled: all within specification', ...overrides },
    }),
    recallCheck: (
      overrides: Partial<RecordRecallComplianceCheck['data']> = {},
      actor: Actor = actors.quality,
    ): RecordRecallComplianceCheck => ({
      type: 'RecordRecallComplianceCheck',
      context: context(actor),
      data: {
        recallRequired: false,
        compliant: true,
        basis: 'No safety defect: repair and replacement suffice under the Product Quality Law',
        ...overrides,
      },
    }),
    prStatement: (overrides: Partial<RecordPrStatement['data']> = {}, actor: Actor = actors.pr): RecordPrStatement => ({
      type: 'RecordPrStatement',
      context: context(actor),
      data: { statement: 'We are replacing every affected battery of batch B-7', channels: ['website'], ...overrides },
    }),
    /** The checks closing needs for an incident of `level` and `category` (quality; recall compliance; PR for L1). */
    closureChecks: (level: IncidentLevel, category: IncidentCategory = 'product-quality'): IncidentCommand[] => [
      {
        type: 'RecordQualityCheck',
        context: context(actors.quality),
        data: { passed: true, findings: 'Fix verified' },
      },
      ...(category === 'product-quality'
        ? [
            {
              type: 'RecordRecallComplianceCheck' as const,
              context: context(actors.quality),
              data: { recallRequired: false, compliant: true, basis: 'No safety defect' },
            },
          ]
        : []),
      ...(level === 'L1'
        ? [
            {
              type: 'RecordPrStatement' as const,
              context: context(actors.pr),
              data: { statement: 'Statement on the incident', channels: ['website'] },
            },
          ]
        : []),
    ],
    close: (overrides: Partial<CloseIncident['data']> = {}, actor: Actor = actors.csManager): CloseIncident => ({
      type: 'CloseIncident',
      context: context(actor),
      data: { ...overrides },
    }),
    archive: (overrides: Partial<ArchiveIncident['data']> = {}, actor: Actor = actors.csManager): ArchiveIncident => ({
      type: 'ArchiveIncident',
      context: context(actor),
      data: {
        archiveHash: 'a'.repeat(64),
        format: 'aftersales.incident-archive/1',
        knowledge: {
          category: 'product-quality',
          product: 'BAT-100',
          problem: 'Batteries of batch B-7 swell after charging',
          cause: 'Separator film too thin in batch B-7 (direct cause: Cells overheat when charging)',
          solution: 'replace: Replace every battery of batch B-7',
          prevention: ['Sample separator thickness per batch (quality)'],
        },
        ...overrides,
      },
    }),
  };
}

/** How far a fixture incident has come. */
export type IncidentStage =
  'activated' | 'contained' | 'root-caused' | 'approved' | 'implemented' | 'confirmed' | 'resolved';

const stages: readonly IncidentStage[] = [
  'activated',
  'contained',
  'root-caused',
  'approved',
  'implemented',
  'confirmed',
  'resolved',
];

const approverFor: Record<IncidentLevel, Actor> = {
  L1: actors.generalManager,
  L2: actors.csDirector,
  L3: actors.csManager,
};

const analystFor: Record<IncidentCategory, Actor> = {
  'product-quality': actors.techSupport,
  'service-failure': actors.quality,
  'special-scenario': actors.logistics,
};

/**
 * The history of a declared incident taken to `until` along the happy path: declared at the clock's time, each later
 * step 10 minutes after the previous one. The clock is left at the last step.
 */
export function anIncidentHistory(
  clock: TestClock,
  {
    until,
    level = 'L3',
    category = 'product-quality',
    decider = incidentDecider,
  }: {
    until: IncidentStage;
    level?: IncidentLevel;
    category?: IncidentCategory;
    decider?: Decider<IncidentState, IncidentCommand, IncidentEvent>;
  },
): IncidentEvent[] {
  const command = incidentCommands(clock);
  const steps: Array<() => IncidentCommand> = [
    () => command.declare({ level, category }),
    () => command.contact(),
    () => command.rootCause({}, analystFor[category]),
    () => command.approve({}, approverFor[level]),
    () => command.implement(),
    () => command.confirm(),
    () => command.resolve(),
  ];
  let history: IncidentEvent[] = [];
  steps.slice(0, stages.indexOf(until) + 1).forEach((step, index) => {
    if (index > 0) clock.advance({ minutes: 10 });
    history = historyOf(decider, [step()], history);
  });
  // A resolved fixture has the checks closing needs too, recorded at the resolution's time.
  return until === 'resolved' ? historyOf(decider, command.closureChecks(level, category), history) : history;
}
