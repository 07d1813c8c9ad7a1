/**
 * The one rule of "below target" (domain §6: incidents need satisfaction ≥ 90 % L1 / 85 % L2 / 80 % L3), shared by the
 * service that measures satisfaction (surveys) and the one that records it (incidents), so both agree at every rounding
 * edge and whatever either service's policy says today: the target is the one recorded with the incident's resolution
 * (`IncidentResolvedV1.satisfactionTarget`, carried by `SatisfactionMeasuredV1.targetPercent`), never a later policy.
 *
 * Targets are percents with at most two decimals; the comparison runs on whole numbers (hundredths of a percent), so no
 * float rounding decides a borderline figure.
 */

/** Satisfied respondents as a percent, rounded to 2 decimals for display: 8 of 9 → 88.89. */
export function satisfactionPercent(satisfied: number, responses: number): number {
  return Math.round((satisfied * 10_000) / responses) / 100;
}

/**
 * Below target on the exact ratio: `satisfied / responses < target / 100`, compared as whole numbers
 * (`satisfied × 10 000 < target in hundredths × responses`). 9 of 10 at 90 % → met; 8 of 9 (88.888… %) at 88.89 % →
 * below, although the rounded figure reads 88.89.
 */
export function isBelowTarget(satisfied: number, responses: number, targetPercent: number): boolean {
  return satisfied * 10_000 < Math.round(targetPercent * 100) * responses;
}

/**
 * The count of satisfied respondents a published, rounded percent stands for (`SatisfactionMeasuredV1`): exact for
 * fewer than 10 000 responses, since the 2-decimal rounding moves the figure by less than half a respondent there.
 */
export function satisfiedCountOf(percent: number, responses: number): number {
  return Math.min(responses, Math.max(0, Math.round((percent * responses) / 100)));
}

/**
 * The verdict of {@link isBelowTarget} for a published figure (rounded percent and responses), for a consumer that
 * has the figure but not the verdict: it recovers the count instead of comparing the rounded percent. A percent no
 * count of `responses` rounds to (a figure recorded by hand) is compared as it stands.
 */
export function isFigureBelowTarget(percent: number, responses: number, targetPercent: number): boolean {
  const satisfied = satisfiedCountOf(percent, responses);
  if (satisfactionPercent(satisfied, responses) !== percent) return percent < targetPercent;
  return isBelowTarget(satisfied, responses, targetPercent);
}
