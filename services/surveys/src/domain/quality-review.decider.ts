import { assertNever, DomainError, type CommandContext, type Decider } from '@aftersales/domain';

/** A reviewer scores a sampled case (seed 000 §5.1: 評估服務質量是否符合標準), 0–100, with notes. */
export type RecordQualityReview = {
  readonly type: 'RecordQualityReview';
  readonly context: CommandContext;
  readonly data: {
    readonly week: string;
    readonly caseId: string;
    /** The agent whose sample drew the case; `null` when the case is not in the week's sample. */
    readonly agentId: string | null;
    readonly score: number;
    readonly notes?: string;
  };
};

export type QualityReviewRecorded = {
  readonly type: 'QualityReviewRecorded';
  readonly data: {
    readonly tenant: string;
    readonly week: string;
    readonly caseId: string;
    readonly agentId: string;
    readonly score: number;
    readonly notes?: string;
    readonly reviewedBy: string;
    readonly reviewedAt: string;
  };
};

export type QualityReviewState =
  { readonly status: 'none' } | { readonly status: 'reviewed'; readonly review: QualityReviewRecorded['data'] };

export class CaseNotInSample extends DomainError {
  constructor(caseId: string, week: string) {
    super(
      'QUALITY.NOT_IN_SAMPLE',
      'conflict',
      `Case ${caseId} is not in the quality sample of ${week}`,
      'Reviewers score the cases the weekly draw picked, so nobody chooses which cases are reviewed',
    );
  }
}

export class QualityReviewAlreadyRecorded extends DomainError {
  constructor(caseId: string, week: string) {
    super(
      'QUALITY.ALREADY_REVIEWED',
      'conflict',
      `Case ${caseId} of ${week} was reviewed already`,
      'One review per sampled case',
    );
  }
}

export class InvalidQualityScore extends DomainError {
  constructor(score: number) {
    super(
      'QUALITY.INVALID_SCORE',
      'invalid',
      `Score ${score} is not a whole number within 0–100`,
      'Reviews score 0–100',
    );
  }
}

function decide(command: RecordQualityReview, state: QualityReviewState): QualityReviewRecorded[] {
  const { context, data } = command;
  if (state.status === 'reviewed') throw new QualityReviewAlreadyRecorded(data.caseId, data.week);
  if (data.agentId === null) throw new CaseNotInSample(data.caseId, data.week);
  if (!(Number.isInteger(data.score) && data.score >= 0 && data.score <= 100))
    throw new InvalidQualityScore(data.score);
  const notes = data.notes?.trim();
  return [
    {
      type: 'QualityReviewRecorded',
      data: {
        tenant: context.tenant,
        week: data.week,
        caseId: data.caseId,
        agentId: data.agentId,
        score: data.score,
        ...(notes ? { notes } : {}),
        reviewedBy: context.actor.id,
        reviewedAt: context.now.toISOString(),
      },
    },
  ];
}

function evolve(_state: QualityReviewState, event: QualityReviewRecorded): QualityReviewState {
  switch (event.type) {
    case 'QualityReviewRecorded':
      return { status: 'reviewed', review: event.data };
    default:
      return assertNever(event.type);
  }
}

/** The QualityReview aggregate: one per tenant, week and sampled case. */
export const qualityReviewDecider: Decider<QualityReviewState, RecordQualityReview, QualityReviewRecorded> = {
  decide: (command, state) => {
    if (command.type !== 'RecordQualityReview') return assertNever(command.type);
    return decide(command, state);
  },
  evolve,
  initialState: () => ({ status: 'none' }),
};
