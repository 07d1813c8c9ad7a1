import { describeHttpKit } from '@aftersales/test-kit';
import { incidentsService } from '../src/incidents.module';

// The inherited HTTP suites (OpenAPI, tokens, authorization grid, hostile input), seeded with an incident in tenant A,
// taken to closure (so every read route has something to show, its archive included) once the read model shows it:
// the incident page reads the projection.
describeHttpKit(incidentsService, {
  seed: async ({ request, marker, eventually }) => {
    const declared = await request('POST', '/incidents', {
      role: 'cs-manager',
      body: { category: 'service-failure', level: 'L3', summary: marker, reason: marker },
    });
    const id = (declared.json as { incidentId: string }).incidentId;
    const steps: Array<[string, string, unknown]> = [
      ['contacts', 'agent', { customerRefs: ['cus-1'], summary: marker }],
      ['root-cause', 'quality', { rootCause: marker, directCause: marker }],
      ['solution-approval', 'cs-manager', { solution: { kind: 'process-change', description: marker } }],
      ['implementation', 'quality', { progress: marker, completed: true }],
      ['customer-confirmations', 'agent', { customerRef: 'cus-1', satisfaction: 'satisfied' }],
      ['resolve', 'cs-manager', { summary: marker }],
      [
        'retrospective',
        'cs-manager',
        {
          what: marker,
          why: marker,
          who: marker,
          when: [],
          where: marker,
          how: marker,
          improvementActions: [{ action: marker, owner: 'quality' }],
        },
      ],
      ['quality-check', 'quality', { passed: true, findings: marker }],
      ['close', 'cs-manager', { reason: marker }],
    ];
    for (const [path, role, body] of steps) {
      const res = await request('POST', `/incidents/${id}/${path}`, { role, body });
      if (res.status !== 200) throw new Error(`seed: ${path} answered ${res.status}: ${res.text.slice(0, 300)}`);
    }
    await eventually(
      async () =>
        ((await request('GET', `/incidents/${id}`)).json as { phase?: string }).phase === 'closed' || undefined,
      'the projection',
    );
    return { resources: { id } };
  },
});
