/**
 * Value lists shared by incidents event contracts. Values may be ADDED, never removed or renamed.
 */

/** Incident severity: L1 major, L2 significant, L3 ordinary. */
export const IncidentLevels = ['L1', 'L2', 'L3'] as const;
export type IncidentLevelValue = (typeof IncidentLevels)[number];

/** What went wrong: product quality, a service failure, or a special scenario (weather, outage, holidays). */
export const IncidentCategories = ['product-quality', 'service-failure', 'special-scenario'] as const;
export type IncidentCategoryValue = (typeof IncidentCategories)[number];

/**
 * Why a response team was paged. `level-one-proposal`: someone without level-1 authority proposed level 1; the level-1
 * lead and emergency leadership are paged to decide (seed 004 §4(一)2). Values may be added, never removed.
 */
export const PageTriggers = [
  'activation',
  'upgrade',
  'contact-deadline-breach',
  'level-one-proposal',
  'retrospective-reminder',
  'retrospective-overdue',
] as const;
export type PageTrigger = (typeof PageTriggers)[number];

/**
 * Kinds of an incident's approved solution (seed 004 §4(三)2): repair, replace, recall, process change, training,
 * compensation of the affected customers, capacity. Added by issue 12 (compensation acts on `compensation`).
 */
export const IncidentSolutionKinds = [
  'repair',
  'replace',
  'recall',
  'process-change',
  'training',
  'compensation',
  'capacity',
] as const;
export type IncidentSolutionKind = (typeof IncidentSolutionKinds)[number];
