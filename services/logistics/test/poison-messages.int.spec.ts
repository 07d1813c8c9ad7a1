import { describePoisonMessages } from '@aftersales/test-kit';
import { logisticsService } from '../src/logistics.module';

// Inherited suite: every consumer of the service, every contract it handles (libs/test-kit/src/poison-suite.ts).
describePoisonMessages(logisticsService);
