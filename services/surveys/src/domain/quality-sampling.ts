import { DomainError } from '@aftersales/domain';

/**
 * Quality sampling (seed 000 §5.1 日常抽檢: 「定期對客服聊天記錄、電話錄音、工單處理記錄等進行隨機抽查」): every ISO week, a
 * reproducible random sample of each agent's resolved cases is drawn for the quality group's review. "Random" is a
 * seeded hash: the same seed, tenant, week and cases draw the same sample on every replica and every run, and nobody
 * can pick the cases reviewed.
 */

/** An ISO week, `YYYY-Www` (e.g. `2026-W48`). */
export const isoWeekPattern = /^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/;

export interface SampleCandidate {
  readonly caseId: string;
  readonly agentId: string;
}

export interface AgentSample {
  readonly agentId: string;
  /** Cases the agent resolved that week. */
  readonly population: number;
  /** The drawn cases, in draw order. */
  readonly caseIds: readonly string[];
}

export class InvalidIsoWeek extends DomainError {
  constructor(week: string) {
    super('QUALITY.INVALID_WEEK', 'invalid', `${week} is not an ISO week (YYYY-Www)`, 'Samples are drawn per ISO week');
  }
}

/** 53-bit string hash (cyrb53): pure, fast and well mixed; not cryptographic, and it need not be. */
export function seededHash(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * Draws `perAgent` cases per agent among the cases each resolved in `week` (all of them when fewer): each case ranked
 * by the hash of (seed, tenant, week, case), lowest first. The result does not depend on the order of the candidates.
 *
 * @throws {@link InvalidIsoWeek} for a week that is not `YYYY-Www`.
 */
export function drawQualitySample(
  candidates: readonly SampleCandidate[],
  draw: { readonly seed: string; readonly tenant: string; readonly week: string; readonly perAgent: number },
): AgentSample[] {
  if (!isoWeekPattern.test(draw.week)) throw new InvalidIsoWeek(draw.week);
  const byAgent = new Map<string, string[]>();
  for (const { agentId, caseId } of candidates) {
    const cases = byAgent.get(agentId) ?? [];
    if (!cases.includes(caseId)) cases.push(caseId);
    byAgent.set(agentId, cases);
  }
  const rank = (caseId: string) => seededHash(`${draw.seed}|${draw.tenant}|${draw.week}|${caseId}`);
  return [...byAgent.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([agentId, cases]) => ({
      agentId,
      population: cases.length,
      caseIds: cases
        .map((caseId) => ({ caseId, rank: rank(caseId) }))
        .sort((x, y) => x.rank - y.rank || (x.caseId < y.caseId ? -1 : 1))
        .slice(0, Math.max(0, draw.perAgent))
        .map((c) => c.caseId),
    }));
}

/**
 * Whether a case repeats a problem (domain §6 KPI "repeat rate of the same problem"): the same customer, order and
 * problem type as an earlier case, opened within `windowDays` after that case was resolved.
 */
export function isRepeatOf(
  earlier: {
    readonly customerId: string;
    readonly orderId: string;
    readonly problemType: string;
    readonly resolvedAt: string | null;
  },
  later: {
    readonly customerId: string;
    readonly orderId: string;
    readonly problemType: string;
    readonly openedAt: string;
  },
  windowDays: number,
): boolean {
  if (earlier.resolvedAt === null) return false;
  const same =
    earlier.customerId === later.customerId &&
    earlier.orderId === later.orderId &&
    earlier.problemType === later.problemType;
  const resolved = Date.parse(earlier.resolvedAt);
  const opened = Date.parse(later.openedAt);
  return same && opened >= resolved && opened <= resolved + windowDays * 86_400_000;
}
