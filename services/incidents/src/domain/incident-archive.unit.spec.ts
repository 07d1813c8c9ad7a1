import { historyOf, specOf, stateOf } from '@aftersales/testing/decider';
import {
  archivedFormTitles,
  incidentArchiveOf,
  INCIDENT_ARCHIVE_FORMAT,
  knowledgeEntryOf,
  productOfClusterKey,
} from './incident-archive';
import { FieldRequired, IncidentNotClosedForArchive, incidentRules } from './incident.errors';
import { incidentDecider } from './incident.decider';
import type { IncidentCommand } from './incident.commands';
import type { IncidentEvent } from './incident.events';
import { actors } from './testing/actors.fixture';
import { anIncidentHistory, incidentCommands } from './testing/incident.builder';
import { TestClock } from './testing/test-clock';

const given = specOf(incidentDecider);

let clock: TestClock;
let command: ReturnType<typeof incidentCommands>;
/** The clock back at 08:00 on the 25th. */
const restartClock = () => {
  clock = new TestClock('2026-11-25T08:00:00.000Z');
  command = incidentCommands(clock);
};
beforeEach(restartClock);

const at = (minutes: number) => new Date(Date.parse('2026-11-25T08:00:00.000Z') + minutes * 60_000).toISOString();

/**
 * A product-quality incident on battery batch B-7 declared at 08:00 with its cluster key, CUS-1's complaint attached,
 * contacted at 08:10 (a spare sent), root-caused 08:20, approved 08:30, implemented 08:40, confirmed 08:50, resolved
 * 09:00 (closure checks then), surveyed at 95 %, retrospective at 10:00, closed at 10:10.
 */
function closedBatteryIncident(): IncidentEvent[] {
  const step = (history: IncidentEvent[], ...commands: IncidentCommand[]) =>
    historyOf(incidentDecider, commands, history);
  let history = step(
    [],
    command.declare({ clusterKey: 'sku:BAT-100|batch:B-7' }),
    command.attach({ caseId: 'CASE-1', orderId: 'ORD-7' }),
  );
  clock.advance({ minutes: 10 });
  history = step(history, command.contact(), command.measure({ customerRefs: ['CUS-1'] }));
  clock.advance({ minutes: 10 });
  history = step(history, command.rootCause({}, actors.techSupport));
  clock.advance({ minutes: 10 });
  history = step(history, command.approve({}, actors.csManager));
  clock.advance({ minutes: 10 });
  history = step(history, command.implement());
  clock.advance({ minutes: 10 });
  history = step(history, command.confirm({ note: 'Works again' }));
  clock.advance({ minutes: 10 });
  history = step(history, command.resolve(), ...command.closureChecks('L3'), command.satisfaction());
  clock.advance({ minutes: 60 });
  history = step(history, command.retrospective());
  clock.advance({ minutes: 10 });
  return step(history, command.close({ reason: 'Every customer followed up' }));
}

describe('Incident archive (seed 004 §4(四)4 「記錄歸檔」: every form of the incident is archived at closure)', () => {
  describe('the seven forms, filled from what the incident recorded', () => {
    it('holds the guide’s seven forms in its order, including the customer problem information form', () => {
      const archive = incidentArchiveOf(closedBatteryIncident());
      expect(Object.keys(archive.forms)).toEqual(Object.keys(archivedFormTitles));
      expect(Object.values(archivedFormTitles).map(([, guide]) => guide)).toEqual([
        '事件等級判定表',
        '客戶問題信息表',
        '原因分析報告',
        '解決方案審批表',
        '問題解決確認單',
        '復盤報告',
        '改進措施清單',
      ]);
      expect(archive).toMatchObject({
        format: INCIDENT_ARCHIVE_FORMAT,
        incidentId: 'INC-1',
        tenant: 'shop-1',
        category: 'product-quality',
        product: 'BAT-100',
        level: 'L3',
        openedAt: at(0),
        caseIds: ['CASE-1'],
        closure: {
          by: { id: 'mgr-1', role: 'cs-manager' },
          at: at(130),
          reason: 'Every customer followed up',
          satisfaction: 'measured',
        },
      });
    });

    it('grading form: category, level and its basis, who graded, level changes', () => {
      const { gradingForm } = incidentArchiveOf(closedBatteryIncident()).forms;
      expect(gradingForm).toEqual({
        category: 'product-quality',
        initialLevel: 'L3',
        finalLevel: 'L3',
        basis: 'Reported by the warehouse QC team',
        source: 'manual',
        clusterKey: 'sku:BAT-100|batch:B-7',
        // A declared incident has no cluster count nor flags: absent, not zero.
        complaintCount: { absent: 'not-recorded' },
        flags: { absent: 'not-recorded' },
        graded: { by: { id: 'dir-1', role: 'cs-director' }, at: at(0) },
        levelChanges: [],
        levelOneProposals: [],
      });
    });

    it('customer problem information form (《客戶問題信息表》): the problem, each affected customer, contacts, measures', () => {
      const { customerProblemForm } = incidentArchiveOf(closedBatteryIncident()).forms;
      expect(customerProblemForm.problem).toEqual({
        summary: 'Batteries of batch B-7 swell after charging',
        productModel: 'BAT-100',
        batch: 'B-7',
        region: { absent: 'not-recorded' },
        symptom: { absent: 'not-recorded' },
        occurredAt: { absent: 'not-recorded' },
        impact: { affectedCustomers: 1, complaints: 1 },
      });
      expect(customerProblemForm.customers).toEqual([
        {
          customerRef: 'CUS-1',
          // Personal data is never copied into the archive: it stays sealed in intake under the customer's key (ADR 3),
          // so erasing the customer there leaves nothing readable here.
          name: { absent: 'personal-data-sealed-by-intake' },
          contactDetails: { absent: 'personal-data-sealed-by-intake' },
          evidence: { absent: 'personal-data-sealed-by-intake' },
          orderNumbers: ['ORD-7'],
          purchasedAt: { absent: 'not-recorded' },
          complaintIds: ['CMP-1'],
          caseIds: ['CASE-1'],
          contactedAt: [at(10)],
        },
      ]);
      expect(customerProblemForm.contacts).toEqual([
        {
          by: { id: 'agent-7', role: 'agent' },
          at: at(10),
          customerRefs: ['CUS-1'],
          summary: 'Apologised, explained, committed a reply within 24 h',
          withinDeadline: true,
        },
      ]);
      expect(customerProblemForm.temporaryMeasures).toEqual([
        {
          by: { id: 'agent-7', role: 'agent' },
          at: at(10),
          measure: 'spare-product',
          description: 'Spare battery sent by express',
          customerRefs: ['CUS-1'],
        },
      ]);
    });

    it('cause analysis, solution approval (who approved), resolution confirmation, retrospective, improvements', () => {
      const { forms } = incidentArchiveOf(closedBatteryIncident());
      expect(forms.causeAnalysisReport).toMatchObject({
        rootCause: 'Separator film too thin in batch B-7',
        directCause: 'Cells overheat when charging',
        analyses: [{ by: { id: 'tech-1', role: 'tech-support' }, at: at(20) }],
      });
      expect(forms.solutionApprovalForm).toEqual({
        solution: { kind: 'replace', description: 'Replace every battery of batch B-7' },
        level: 'L3',
        approved: { by: { id: 'mgr-1', role: 'cs-manager' }, at: at(30) },
        implementation: [
          {
            by: { id: 'log-1', role: 'logistics' },
            at: at(40),
            progress: 'All replacements delivered',
            completed: true,
          },
        ],
      });
      expect(forms.resolutionConfirmationForm).toMatchObject({
        confirmations: [
          {
            by: { id: 'agent-7', role: 'agent' },
            at: at(50),
            customerRef: 'CUS-1',
            satisfaction: 'satisfied',
            note: 'Works again',
          },
        ],
        confirmed: 1,
        required: 1,
        override: { absent: 'not-recorded' },
        resolved: { by: { id: 'mgr-1', role: 'cs-manager' }, at: at(60), summary: 'Batch B-7 replaced' },
        satisfactionTargetPercent: 80,
        surveys: [{ percent: 95, responses: 40, targetPercent: 80, meetsTarget: true }],
        followUps: [],
      });
      expect(forms.retrospectiveReport).toMatchObject({
        what: 'Batteries of batch B-7 swelled',
        when: { detectedAt: at(0), firstContactAt: at(10), resolvedAt: at(60) },
        onTime: true,
        recorded: { by: { id: 'mgr-1', role: 'cs-manager' }, at: at(120) },
        overdueFlagged: { absent: 'not-recorded' },
      });
      expect(forms.improvementMeasuresList).toMatchObject({
        measures: [{ action: 'Sample separator thickness per batch', owner: 'quality' }],
        qualityChecks: [{ passed: true, findings: 'Fix verified' }],
        recallCompliance: [{ recallRequired: false, compliant: true }],
        prStatements: [],
      });
    });

    it('a field the incident never recorded is explicitly absent, never invented (a declared incident without complaints)', () => {
      const history = historyOf(
        incidentDecider,
        [command.retrospective(), command.close()],
        anIncidentHistory(clock, { until: 'resolved', category: 'service-failure' }),
      );
      const archive = incidentArchiveOf(history);
      expect(archive.product).toEqual({ absent: 'not-recorded' });
      expect(archive.closure).toMatchObject({ reason: { absent: 'not-recorded' }, satisfaction: 'not-surveyed' });
      expect(archive.forms.gradingForm.clusterKey).toEqual({ absent: 'not-recorded' });
      expect(archive.forms.customerProblemForm.problem).toMatchObject({
        productModel: { absent: 'not-recorded' },
        batch: { absent: 'not-recorded' },
        impact: { affectedCustomers: 1, complaints: 0 },
      });
      expect(archive.forms.resolutionConfirmationForm).toMatchObject({
        confirmations: [{ note: { absent: 'not-recorded' } }],
        surveys: [],
      });
    });

    it('is a function of the stream up to the closure: the same events give the same archive, later ones add nothing', () => {
      const history = closedBatteryIncident();
      const archived = historyOf(incidentDecider, [command.archive()], history);
      expect(incidentArchiveOf(archived)).toEqual(incidentArchiveOf(history));
      restartClock();
      expect(JSON.stringify(incidentArchiveOf(closedBatteryIncident()))).toBe(
        JSON.stringify(incidentArchiveOf(history)),
      );
    });

    it('cannot be made before the incident is closed', () => {
      expect(() => incidentArchiveOf(anIncidentHistory(clock, { until: 'resolved' }))).toThrow(
        IncidentNotClosedForArchive,
      );
      expect(() => incidentArchiveOf([])).toThrow(IncidentNotClosedForArchive);
    });
  });

  describe('ArchiveIncident: the archive’s hash enters the audit trail once, at closure', () => {
    it('records IncidentArchived with the SHA-256, the format, the knowledge-base entry and who closed it', () => {
      const history = closedBatteryIncident();
      const archiveCommand = command.archive({ archiveHash: 'b'.repeat(64) });
      given(history)
        .when(archiveCommand)
        .then([
          {
            type: 'IncidentArchived',
            data: {
              incidentId: 'INC-1',
              actor: { id: 'mgr-1', role: 'cs-manager' },
              at: at(130),
              archiveHash: 'b'.repeat(64),
              algorithm: 'sha-256',
              format: INCIDENT_ARCHIVE_FORMAT,
              knowledge: archiveCommand.data.knowledge,
            },
          },
        ]);
      const archived = historyOf(incidentDecider, [archiveCommand], history);
      expect(stateOf(incidentDecider, archived)).toMatchObject({ status: 'closed', archiveHash: 'b'.repeat(64) });
    });

    it('is refused before closure, with the rule', () => {
      const error = given(anIncidentHistory(clock, { until: 'resolved' }))
        .when(command.archive())
        .thenThrows(IncidentNotClosedForArchive, { kind: 'conflict', code: 'INCIDENT.ARCHIVE_NOT_ALLOWED' });
      expect(error.rule).toBe(incidentRules.archiveAtClosure);
    });

    it('is immutable: the same hash again decides nothing, another hash is refused', () => {
      const archived = historyOf(incidentDecider, [command.archive()], closedBatteryIncident());
      given(archived).when(command.archive()).thenNothing();
      given(archived)
        .when(command.archive({ archiveHash: 'c'.repeat(64) }))
        .thenThrows(IncidentNotClosedForArchive, { kind: 'conflict' });
    });

    it('takes only a SHA-256 in lowercase hex', () => {
      given(closedBatteryIncident())
        .when(command.archive({ archiveHash: 'not-a-hash' }))
        .thenThrows(FieldRequired, { kind: 'invalid' });
    });
  });

  describe('the knowledge-base entry (problem, cause, solution, prevention, category, product)', () => {
    it('is drawn from the archive: the retrospective’s what, the cause in force, the approved solution, the measures', () => {
      expect(knowledgeEntryOf(incidentArchiveOf(closedBatteryIncident()))).toEqual({
        category: 'product-quality',
        product: 'BAT-100',
        problem: 'Batteries of batch B-7 swell after charging: Batteries of batch B-7 swelled',
        cause: 'Separator film too thin in batch B-7 (direct cause: Cells overheat when charging)',
        solution: 'replace: Replace every battery of batch B-7',
        prevention: ['Sample separator thickness per batch (quality)'],
      });
    });

    it('names the product of a product cluster key, and none for regions and single complaints', () => {
      expect(productOfClusterKey('sku:PB-20000|batch:B-7')).toBe('PB-20000');
      expect(productOfClusterKey('sku:PB-20000')).toBe('PB-20000');
      expect(productOfClusterKey('region:EAST-CHINA')).toBeNull();
      expect(productOfClusterKey('complaint:2a7c')).toBeNull();
      expect(productOfClusterKey(undefined)).toBeNull();
    });
  });
});
