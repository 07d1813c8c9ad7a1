/**
 * Value lists shared by incidents event contracts. Values may be ADDED, never removed or renamed.
 */

/** Incident severity: L1 major, L2 significant, L3 ordinary. */
export const IncidentLevels = ['L1', 'L2', 'L3'] as const;
export type IncidentLevelValue = (typeof IncidentLevels)[number];

/** What went wrong: product quality, a service failure, or a special scenario (weather, outage, holidays). */
export const IncidentCategories = ['product-quality', 'service-failure', 'special-scenario'] as const;
export type IncidentCategoryValue = (typeof IncidentCategories)[number];

/** Why a response team was paged. */
export const PageTriggers = ['activation', 'upgrade', 'contact-deadline-breach'] as const;
export type PageTrigger = (typeof PageTriggers)[number];
