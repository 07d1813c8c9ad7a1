import { randomUUID } from 'node:crypto';
import { describeHttpKit } from '@aftersales/test-kit';
import { compensationService } from '../src/compensation.module';

// The inherited HTTP suites (OpenAPI, tokens, authorization grid, hostile input), seeded with a compensation order
// waiting for a supervisor's approval in tenant A.
describeHttpKit(compensationService, {
  seed: async ({ marker, request }) => {
    const caseId = randomUUID();
    const res = await request('POST', '/compensations', {
      role: 'agent',
      body: {
        cause: { kind: 'case', id: marker.slice(0, 100) },
        caseId,
        instrument: 'cash',
        amount: { amountMinor: 15_000, currency: 'CNY' },
      },
    });
    if (res.status !== 201) throw new Error(`seed: POST /compensations answered ${res.status}`);
    return { resources: { compensationId: (res.json as { compensationId: string }).compensationId } };
  },
});
