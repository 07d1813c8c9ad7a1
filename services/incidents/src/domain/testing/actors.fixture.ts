import type { CommandContext } from '@aftersales/domain';

type Actor = CommandContext['actor'];

/** One actor per role the incident rules care about. */
export const actors = {
  agent: { id: 'agent-7', roles: ['agent'] },
  csManager: { id: 'mgr-1', roles: ['cs-manager'] },
  csDirector: { id: 'dir-1', roles: ['cs-director'] },
  generalManager: { id: 'gm-1', roles: ['general-manager'] },
  incidentCommander: { id: 'ic-1', roles: ['incident-commander'] },
  techSupport: { id: 'tech-1', roles: ['tech-support'] },
  quality: { id: 'qc-1', roles: ['quality'] },
  logistics: { id: 'log-1', roles: ['logistics'] },
  pr: { id: 'pr-1', roles: ['pr'] },
  legal: { id: 'legal-1', roles: ['legal'] },
  /** The clustering process manager. */
  clusterWatch: { id: 'incidents.cluster-watch', roles: ['system'] },
  /** The durable timer scheduler. */
  timer: { id: 'incidents.timer', roles: ['system'] },
  /** The surveys service's integration. */
  surveys: { id: 'surveys', roles: ['integrator'] },
} satisfies Record<string, Actor>;

export const tenant = 'shop-1';
