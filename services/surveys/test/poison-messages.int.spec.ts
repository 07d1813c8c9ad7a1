import { describePoisonMessages } from '@aftersales/test-kit';
import { surveysService } from '../src/surveys.module';

// Inherited suite: every consumer of the service, every contract it handles (libs/test-kit/src/poison-suite.ts).
describePoisonMessages(surveysService);
