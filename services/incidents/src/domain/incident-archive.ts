import type { ConfirmationSatisfaction, ImprovementAction, SolutionKind, TimelineEntry } from './incident.commands';
import type { IncidentEvent, SatisfactionAtClosure } from './incident.events';
import { IncidentNotClosedForArchive } from './incident.errors';
import type { ActorRef, IncidentCategory, IncidentLevel, RecordedComplaintFlags } from './incident.values';

/**
 * The archive of a closed incident (seed 004 §4(四)4 「記錄歸檔」): the seven forms of the emergency guide, filled only
 * from what the incident's own events recorded. A field the incident never recorded is an explicit {@link Absent}, never
 * a guess; personal data (names, contact details, evidence) is never copied in: it stays sealed in intake's vault under
 * the customer's key (ADR 3), so an erased customer's data cannot be read from an archive either.
 *
 * The archive is a pure function of the stream up to the closure: the same events give the same archive, and so the
 * same hash of its canonical JSON (`IncidentArchived.archiveHash`).
 */

/** The archive format; a new format is a new value, an archive keeps the one it was made with. */
export const INCIDENT_ARCHIVE_FORMAT = 'aftersales.incident-archive/1';

/**
 * Why a form field has no value: `not-recorded`, the incident never learnt it (e.g. the order's purchase time);
 * `personal-data-sealed-by-intake`, personal data the incident never holds: intake keeps it sealed under the customer's
 * key and shows it, audited, to roles that state a purpose (ADR 3).
 */
export type AbsenceReason = 'not-recorded' | 'personal-data-sealed-by-intake';

/** A field without a value, saying why. */
export interface Absent {
  readonly absent: AbsenceReason;
}

/** A field's value, or why it has none. */
export type Field<T> = T | Absent;

const notRecorded: Absent = { absent: 'not-recorded' };
const sealedByIntake: Absent = { absent: 'personal-data-sealed-by-intake' };

/** Who did something and when, as the event recorded it. */
export interface Signed {
  readonly by: ActorRef;
  readonly at: string;
}

/** 《事件等級判定表》 The grading form. */
export interface GradingForm {
  readonly category: IncidentCategory;
  readonly initialLevel: IncidentLevel;
  readonly finalLevel: IncidentLevel;
  readonly basis: string;
  readonly source: 'cluster' | 'manual';
  readonly clusterKey: Field<string>;
  readonly complaintCount: Field<number>;
  readonly flags: Field<RecordedComplaintFlags>;
  readonly graded: Signed;
  readonly levelChanges: ReadonlyArray<
    Signed & { readonly from: IncidentLevel; readonly to: IncidentLevel; readonly reason: string }
  >;
  readonly levelOneProposals: ReadonlyArray<Signed & { readonly reason: string }>;
}

/** One affected customer on the customer problem information form. */
export interface AffectedCustomer {
  /** The opaque customer reference (never personal data). */
  readonly customerRef: string;
  readonly name: Absent;
  readonly contactDetails: Absent;
  /** The orders of the customer's complaints, as attached (absent when none named one). */
  readonly orderNumbers: Field<readonly string[]>;
  readonly purchasedAt: Field<string>;
  readonly complaintIds: readonly string[];
  readonly caseIds: readonly string[];
  readonly contactedAt: readonly string[];
  readonly evidence: Absent;
}

/** 《客戶問題信息表》 The customer problem information form. */
export interface CustomerProblemForm {
  readonly problem: {
    readonly summary: string;
    readonly productModel: Field<string>;
    readonly batch: Field<string>;
    readonly region: Field<string>;
    readonly symptom: Field<string>;
    readonly occurredAt: Field<string>;
    readonly impact: { readonly affectedCustomers: number; readonly complaints: number };
  };
  readonly customers: readonly AffectedCustomer[];
  readonly contacts: ReadonlyArray<
    Signed & { readonly customerRefs: readonly string[]; readonly summary: string; readonly withinDeadline: boolean }
  >;
  readonly temporaryMeasures: ReadonlyArray<
    Signed & { readonly measure: string; readonly description: string; readonly customerRefs: readonly string[] }
  >;
  readonly contactDeadlineBreaches: ReadonlyArray<Signed & { readonly dueAt: string; readonly escalatedTo: string }>;
}

/** 《原因分析報告》 The cause analysis report: the cause in force, and every analysis recorded. */
export interface CauseAnalysisReport {
  readonly rootCause: string;
  readonly directCause: string;
  readonly analyses: ReadonlyArray<Signed & { readonly rootCause: string; readonly directCause: string }>;
}

/** 《解決方案審批表》 The solution approval form, with the implementation's progress. */
export interface SolutionApprovalForm {
  readonly solution: { readonly kind: SolutionKind; readonly description: string };
  readonly level: IncidentLevel;
  readonly approved: Signed;
  readonly implementation: ReadonlyArray<Signed & { readonly progress: string; readonly completed: boolean }>;
}

/** 《問題解決確認單》 The resolution confirmation form. */
export interface ResolutionConfirmationForm {
  readonly confirmations: ReadonlyArray<
    Signed & {
      readonly customerRef: string;
      readonly satisfaction: ConfirmationSatisfaction;
      readonly note: Field<string>;
    }
  >;
  readonly confirmed: Field<number>;
  readonly required: Field<number>;
  readonly override: Field<{ readonly reason: string; readonly by: ActorRef }>;
  readonly resolved: Signed & { readonly summary: string };
  readonly satisfactionTargetPercent: number;
  readonly surveys: ReadonlyArray<
    Signed & {
      readonly percent: number;
      readonly responses: number;
      readonly targetPercent: number;
      readonly meetsTarget: boolean;
    }
  >;
  readonly followUps: ReadonlyArray<
    Signed & { readonly action: string; readonly description: string; readonly wasRequired: boolean }
  >;
}

/** 《復盤報告》 The retrospective report (5W1H). */
export interface RetrospectiveReport {
  readonly what: string;
  readonly why: string;
  readonly who: string;
  readonly when: {
    readonly detectedAt: string;
    readonly firstContactAt: string;
    readonly resolvedAt: string;
    readonly entries: readonly TimelineEntry[];
  };
  readonly where: string;
  readonly how: string;
  readonly dueAt: string;
  readonly onTime: boolean;
  readonly recorded: Signed;
  readonly overdueFlagged: Field<Signed & { readonly escalatedTo: string }>;
}

/** 《改進措施清單》 The improvement measures list, and the checks closing needed. */
export interface ImprovementMeasuresList {
  readonly measures: readonly ImprovementAction[];
  readonly qualityChecks: ReadonlyArray<Signed & { readonly passed: boolean; readonly findings: string }>;
  readonly recallCompliance: ReadonlyArray<
    Signed & { readonly recallRequired: boolean; readonly compliant: boolean; readonly basis: string }
  >;
  readonly prStatements: ReadonlyArray<Signed & { readonly statement: string; readonly channels: readonly string[] }>;
}

/** The seven forms of seed 004 §4(四)4, in the guide's order. */
export interface ArchivedForms {
  readonly gradingForm: GradingForm;
  readonly customerProblemForm: CustomerProblemForm;
  readonly causeAnalysisReport: Field<CauseAnalysisReport>;
  readonly solutionApprovalForm: Field<SolutionApprovalForm>;
  readonly resolutionConfirmationForm: Field<ResolutionConfirmationForm>;
  readonly retrospectiveReport: Field<RetrospectiveReport>;
  readonly improvementMeasuresList: Field<ImprovementMeasuresList>;
}

/** The form names, in the guide's order, with their titles (English, then the guide's own). */
export const archivedFormTitles: { readonly [F in keyof ArchivedForms]: readonly [string, string] } = {
  gradingForm: ['Grading form', '事件等級判定表'],
  customerProblemForm: ['Customer problem information form', '客戶問題信息表'],
  causeAnalysisReport: ['Cause analysis report', '原因分析報告'],
  solutionApprovalForm: ['Solution approval form', '解決方案審批表'],
  resolutionConfirmationForm: ['Resolution confirmation form', '問題解決確認單'],
  retrospectiveReport: ['Retrospective report', '復盤報告'],
  improvementMeasuresList: ['Improvement measures list', '改進措施清單'],
};

/** The archive bundle of a closed incident. */
export interface IncidentArchive {
  readonly format: typeof INCIDENT_ARCHIVE_FORMAT;
  readonly incidentId: string;
  readonly tenant: string;
  readonly category: IncidentCategory;
  readonly product: Field<string>;
  readonly level: IncidentLevel;
  readonly openedAt: string;
  readonly caseIds: readonly string[];
  readonly forms: ArchivedForms;
  readonly closure: Signed & { readonly reason: Field<string>; readonly satisfaction: SatisfactionAtClosure };
}

/**
 * The knowledge-base entry of a closed incident (seed 004 §4(四)4: the forms go to the knowledge base for later
 * reference; §5 tech support 「更新知識庫」): problem, cause, solution and prevention, found by category and product.
 */
export interface KnowledgeEntry {
  readonly category: IncidentCategory;
  /** The product SKU the incident is about (its cluster key's), `null` when it is about none (regions, manual). */
  readonly product: string | null;
  readonly problem: string;
  readonly cause: string;
  readonly solution: string;
  readonly prevention: readonly string[];
}

/**
 * The product (SKU) a cluster key names, trimmed and upper-cased as clusters write it (a key declared by hand may be
 * written otherwise): `sku:PB-20000|batch:B-7` → `PB-20000`; `null` for regions and single complaints.
 *
 * @example
 * ```ts
 * productOfClusterKey('sku:PB-20000|batch:B-7'); // 'PB-20000'
 * productOfClusterKey('region:EAST'); // null
 * ```
 */
export function productOfClusterKey(clusterKey: string | undefined): string | null {
  const sku = /^sku:([^|]+)/
    .exec(clusterKey ?? '')?.[1]
    ?.trim()
    .toUpperCase();
  return sku ? sku : null;
}

function partOfClusterKey(clusterKey: string | undefined, part: 'batch' | 'region'): Field<string> {
  const match = new RegExp(`(?:^|\\|)${part}:([^|]+)`).exec(clusterKey ?? '');
  return match?.[1] ?? notRecorded;
}

const signed = (data: { actor: ActorRef; at: string }): Signed => ({ by: data.actor, at: data.at });

type Of<T extends IncidentEvent['type']> = Extract<IncidentEvent, { type: T }>['data'];

/** The events of the archived stretch of a stream, by type, in stream order. */
class History {
  constructor(private readonly events: readonly IncidentEvent[]) {}

  /** The data of every event of the given types, in stream order. */
  all<T extends IncidentEvent['type']>(...types: T[]): ReadonlyArray<Of<T>> {
    return this.events.filter((event) => (types as string[]).includes(event.type)).map((event) => event.data as Of<T>);
  }

  last<T extends IncidentEvent['type']>(type: T): Of<T> | undefined {
    return this.all(type).at(-1);
  }
}

/**
 * The archive of an incident from its stream (seed 004 §4(四)4): every event up to and including `IncidentClosed`
 * (later events, such as `IncidentArchived` itself, are not part of it).
 *
 * @throws {@link IncidentNotClosedForArchive} when the stream holds no opening or no closure.
 * @example
 * ```ts
 * const archive = incidentArchiveOf(events);
 * archive.forms.retrospectiveReport; // the 5W1H as recorded
 * ```
 */
export function incidentArchiveOf(events: readonly IncidentEvent[]): IncidentArchive {
  const closedAt = events.findIndex((event) => event.type === 'IncidentClosed');
  const opened = events.find((event) => event.type === 'IncidentOpened');
  const closing = events[closedAt];
  if (!opened || opened.type !== 'IncidentOpened' || !closing || closing.type !== 'IncidentClosed') {
    throw new IncidentNotClosedForArchive(events[0]?.data.incidentId ?? '');
  }
  const history = new History(events.slice(0, closedAt + 1));
  const { data: o } = opened;
  const { data: closed } = closing;
  const clusterKey = o.source.clusterKey;
  const product = productOfClusterKey(clusterKey);
  return {
    format: INCIDENT_ARCHIVE_FORMAT,
    incidentId: o.incidentId,
    tenant: o.tenant,
    category: o.category,
    product: product ?? notRecorded,
    level: closed.level,
    openedAt: o.at,
    caseIds: [...(closed.caseIds ?? [])],
    forms: {
      gradingForm: gradingForm(o, closed.level, history),
      customerProblemForm: customerProblemForm(o, product, history),
      causeAnalysisReport: causeAnalysisReport(history),
      solutionApprovalForm: solutionApprovalForm(history),
      resolutionConfirmationForm: resolutionConfirmationForm(history),
      retrospectiveReport: retrospectiveReport(history),
      improvementMeasuresList: improvementMeasuresList(history),
    },
    closure: {
      ...signed(closed),
      reason: closed.reason ?? notRecorded,
      satisfaction: closed.satisfaction ?? 'measured',
    },
  };
}

function gradingForm(o: Of<'IncidentOpened'>, finalLevel: IncidentLevel, history: History): GradingForm {
  const { source } = o;
  return {
    category: o.category,
    initialLevel: o.level,
    finalLevel,
    basis: o.reason,
    source: source.kind,
    clusterKey: source.clusterKey ?? notRecorded,
    complaintCount: source.kind === 'cluster' ? source.complaintCount : notRecorded,
    flags: source.kind === 'cluster' ? source.flags : notRecorded,
    graded: signed(o),
    levelChanges: history
      .all('IncidentUpgraded', 'IncidentDowngraded')
      .map((change) => ({ ...signed(change), from: change.from, to: change.to, reason: change.reason })),
    levelOneProposals: history.all('LevelOneProposed').map((p) => ({ ...signed(p), reason: p.reason })),
  };
}

function customerProblemForm(o: Of<'IncidentOpened'>, product: string | null, history: History): CustomerProblemForm {
  const attached = history.all('ComplaintAttached');
  const contacts = history.all('CustomersContacted');
  // Grouped once per customer: an incident may have thousands of customers, each form row must not rescan them all.
  const complaintsOf = groupBy(attached, (a) => [a.customerRef]);
  const contactsOf = groupBy(contacts, (c) => c.customerRefs);
  const refs = [...new Set([...complaintsOf.keys(), ...contactsOf.keys()])];
  const customers = refs.map((customerRef): AffectedCustomer => {
    const complaints = complaintsOf.get(customerRef) ?? [];
    return {
      customerRef,
      name: sealedByIntake,
      contactDetails: sealedByIntake,
      orderNumbers: orderNumbersOf(complaints),
      // The purchase is the order's, which the complaint does not carry.
      purchasedAt: notRecorded,
      complaintIds: complaints.map((a) => a.complaintId),
      caseIds: [...new Set(complaints.flatMap((a) => (a.caseId ? [a.caseId] : [])))],
      contactedAt: (contactsOf.get(customerRef) ?? []).map((c) => c.at),
      evidence: sealedByIntake,
    };
  });
  return {
    problem: {
      summary: o.summary,
      productModel: product ?? notRecorded,
      batch: partOfClusterKey(o.source.clusterKey, 'batch'),
      region: partOfClusterKey(o.source.clusterKey, 'region'),
      // The customers' own words stay with their complaints in intake; the incident records its summary.
      symptom: notRecorded,
      occurredAt: notRecorded,
      impact: { affectedCustomers: customers.length, complaints: attached.length },
    },
    customers,
    contacts: contacts.map((c) => ({
      ...signed(c),
      customerRefs: c.customerRefs,
      summary: c.summary,
      withinDeadline: c.withinDeadline,
    })),
    temporaryMeasures: history.all('TemporaryMeasureRecorded').map((m) => ({
      ...signed(m),
      measure: m.measure,
      description: m.description,
      customerRefs: m.customerRefs,
    })),
    contactDeadlineBreaches: history
      .all('ContactDeadlineBreached')
      .map((b) => ({ ...signed(b), dueAt: b.dueAt, escalatedTo: b.escalatedTo })),
  };
}

/** The items under each key `keysOf` gives them, keys in first-seen order, items in order. */
function groupBy<T>(items: readonly T[], keysOf: (item: T) => readonly string[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    for (const key of new Set(keysOf(item))) {
      const group = groups.get(key);
      if (group) group.push(item);
      else groups.set(key, [item]);
    }
  }
  return groups;
}

function orderNumbersOf(complaints: ReadonlyArray<Of<'ComplaintAttached'>>): Field<readonly string[]> {
  const orders = [...new Set(complaints.flatMap((c) => (c.orderId ? [c.orderId] : [])))];
  return orders.length > 0 ? orders : notRecorded;
}

function causeAnalysisReport(history: History): Field<CauseAnalysisReport> {
  const analyses = history.all('RootCauseRecorded');
  const current = analyses.at(-1);
  if (!current) return notRecorded;
  return {
    rootCause: current.rootCause,
    directCause: current.directCause,
    analyses: analyses.map((a) => ({ ...signed(a), rootCause: a.rootCause, directCause: a.directCause })),
  };
}

function solutionApprovalForm(history: History): Field<SolutionApprovalForm> {
  const approval = history.last('SolutionApproved');
  if (!approval) return notRecorded;
  return {
    solution: { kind: approval.solution.kind, description: approval.solution.description },
    level: approval.level,
    approved: signed(approval),
    implementation: history
      .all('ImplementationRecorded')
      .map((i) => ({ ...signed(i), progress: i.progress, completed: i.completed })),
  };
}

function resolutionConfirmationForm(history: History): Field<ResolutionConfirmationForm> {
  const resolved = history.last('IncidentResolved');
  if (!resolved) return notRecorded;
  return {
    confirmations: history.all('CustomerConfirmationRecorded').map((c) => ({
      ...signed(c),
      customerRef: c.customerRef,
      satisfaction: c.satisfaction,
      note: c.note ?? notRecorded,
    })),
    confirmed: resolved.confirmations?.confirmed ?? notRecorded,
    required: resolved.confirmations?.required ?? notRecorded,
    override: resolved.confirmationOverride ?? notRecorded,
    resolved: { ...signed(resolved), summary: resolved.summary },
    satisfactionTargetPercent: resolved.satisfactionTargetPercent,
    surveys: history.all('SatisfactionRecorded').map((s) => ({
      ...signed(s),
      percent: s.percent,
      responses: s.responses,
      targetPercent: s.targetPercent,
      meetsTarget: s.meetsTarget,
    })),
    followUps: history.all('FollowUpRecorded').map((f) => ({
      ...signed(f),
      action: f.action,
      description: f.description,
      wasRequired: f.wasRequired,
    })),
  };
}

function retrospectiveReport(history: History): Field<RetrospectiveReport> {
  const retro = history.last('RetrospectiveRecorded');
  if (!retro) return notRecorded;
  const overdue = history.last('RetrospectiveOverdue');
  return {
    what: retro.what,
    why: retro.why,
    who: retro.who,
    when: retro.when,
    where: retro.where,
    how: retro.how,
    dueAt: retro.dueAt,
    onTime: retro.onTime,
    recorded: signed(retro),
    overdueFlagged: overdue ? { ...signed(overdue), escalatedTo: overdue.escalatedTo } : notRecorded,
  };
}

function improvementMeasuresList(history: History): Field<ImprovementMeasuresList> {
  const retro = history.last('RetrospectiveRecorded');
  if (!retro) return notRecorded;
  return {
    measures: retro.improvementActions,
    qualityChecks: history
      .all('QualityCheckRecorded')
      .map((q) => ({ ...signed(q), passed: q.passed, findings: q.findings })),
    recallCompliance: history.all('RecallComplianceChecked').map((r) => ({
      ...signed(r),
      recallRequired: r.recallRequired,
      compliant: r.compliant,
      basis: r.basis,
    })),
    prStatements: history
      .all('PrStatementRecorded')
      .map((p) => ({ ...signed(p), statement: p.statement, channels: p.channels })),
  };
}

/** Whether a field has a value (a narrowing guard). */
export function isRecorded<T>(field: Field<T>): field is T {
  return !(typeof field === 'object' && field !== null && 'absent' in field && Object.keys(field).length === 1);
}

/**
 * The knowledge-base entry of an archive: the problem (summary, and the retrospective's what), the cause in force,
 * the approved solution, the improvement measures as prevention, the category and the product.
 */
export function knowledgeEntryOf(archive: IncidentArchive): KnowledgeEntry {
  const { forms } = archive;
  const cause = forms.causeAnalysisReport;
  const solution = forms.solutionApprovalForm;
  const retro = forms.retrospectiveReport;
  const measures = forms.improvementMeasuresList;
  const summary = forms.customerProblemForm.problem.summary;
  return {
    category: archive.category,
    product: isRecorded(archive.product) ? archive.product : null,
    problem: isRecorded(retro) && retro.what !== summary ? `${summary}: ${retro.what}` : summary,
    cause: isRecorded(cause) ? `${cause.rootCause} (direct cause: ${cause.directCause})` : 'not recorded',
    solution: isRecorded(solution) ? `${solution.solution.kind}: ${solution.solution.description}` : 'not recorded',
    prevention: isRecorded(measures) ? measures.measures.map((m) => `${m.action} (${m.owner})`) : [],
  };
}
