import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { ImprovementInputRaisedV1 } from '@aftersales/contracts';
import { deterministicUuid, type CommandOrigin } from '@aftersales/eventstore';
import type { OpenCase } from '../domain/case.decider';
import { CasesService } from './cases.service';

/** The follow-up case of a survey's improvement input: derived from tenant and survey, so no redelivery opens two. */
export const improvementCaseIdOf = (tenant: string, surveyId: string) =>
  deterministicUuid(`survey-improvement|${tenant}|${surveyId}`);

const dimensionNames: Record<string, string> = {
  responseSpeed: 'response speed',
  result: 'result',
  attitude: 'attitude',
};

/**
 * The case intake opens for a survey's improvement input (seed 000 §3.4 反饋處理: unsatisfied items and suggestions go
 * to the responsible department as input for improvement): an unsatisfied customer becomes a `complaint` case to follow
 * up with them by phone; a suggestion alone a `suggestion` case for the quality group's review. The description is
 * built from codes and scores only (the suggestion's text stays in surveys, read there by the roles allowed to).
 */
export function improvementCaseOf(input: ImprovementInputRaisedV1, caseId: string): OpenCase['data'] {
  const unsatisfied = input.unsatisfiedDimensions
    .map((d) => `${dimensionNames[d] ?? d} ${input.scores[d]}/5`)
    .join(', ');
  const what =
    input.route === 'follow-up-case'
      ? `Follow-up of an unsatisfied survey answer (${unsatisfied})`
      : 'Quality review of a survey suggestion';
  const suggestion = input.reasons.includes('suggestion')
    ? `; suggestion in surveys /case-surveys/${input.surveyId}`
    : '';
  return {
    caseId,
    channel: 'phone',
    orderId: input.orderId,
    customerId: input.customerId,
    problemType: input.route === 'follow-up-case' ? 'complaint' : 'suggestion',
    description:
      `${what} on ${input.caseId ? `case ${input.caseId}` : `survey ${input.surveyId}`} (order ${input.orderId}, ${input.problemType}` +
      `${input.team ? `, team ${input.team}` : ''})${suggestion}`.slice(0, 4000),
    evidence: [],
  };
}

/**
 * Turns surveys' improvement input into a case (consumer `improvement-input`, in the inbox transaction): opened like
 * any case (its SLA clocks, off hours its automatic acknowledgement) under a key of its own, so a redelivered or
 * repeated event opens nothing twice.
 */
@Injectable()
export class ImprovementInputHandler {
  // Explicit token: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
  constructor(@Inject(CasesService) private readonly cases: CasesService) {}

  async open(tx: PoolClient, origin: CommandOrigin, input: ImprovementInputRaisedV1): Promise<string> {
    const caseId = improvementCaseIdOf(origin.tenant, input.surveyId);
    await this.cases.openIn(tx, origin, improvementCaseOf(input, caseId), {
      idempotencyKey: `survey-improvement|${input.surveyId}`,
    });
    return caseId;
  }
}
