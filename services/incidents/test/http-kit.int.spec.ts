import { describeHttpKit } from '@aftersales/test-kit';
import { incidentsService } from '../src/incidents.module';

// The inherited HTTP suites (OpenAPI, tokens, authorization grid, hostile input), seeded with an incident in tenant A
// (once the read model shows it: the incident page reads the projection).
describeHttpKit(incidentsService, {
  seed: async ({ request, marker, eventually }) => {
    const declared = await request('POST', '/incidents', {
      role: 'cs-manager',
      body: { category: 'product-quality', level: 'L3', summary: marker, reason: marker },
    });
    const id = (declared.json as { incidentId: string }).incidentId;
    await eventually(
      async () => ((await request('GET', `/incidents/${id}`)).status === 200 ? true : undefined),
      'the projection',
    );
    return { resources: { id } };
  },
});
