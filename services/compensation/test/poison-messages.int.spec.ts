import { randomUUID } from 'node:crypto';
import { CompensationRequestedV1 } from '@aftersales/contracts';
import { describePoisonMessages, freshSample } from '@aftersales/test-kit';
import { compensationService } from '../src/compensation.module';

// Inherited suite: every consumer of the service, every contract it handles (libs/test-kit/src/poison-suite.ts).
// No payment provider answers here: a payout fails once and goes to manual review, so the service is quiescent when
// the suite compares its tables before and after a redelivery.
describePoisonMessages(compensationService, {
  env: { COMPENSATION_PROVIDER_URL: 'http://127.0.0.1:9', COMPENSATION_PAYOUT_MAX_ATTEMPTS: '1' },
  samples: {
    [CompensationRequestedV1.type]: (tenant) => {
      const shipmentId = randomUUID();
      const sample = freshSample(CompensationRequestedV1, tenant);
      return { ...sample, shipmentId, idempotencyKey: `${sample.reason}:${shipmentId}` };
    },
  },
});
