import { randomBytes } from 'node:crypto';
import { describePoisonMessages } from '@aftersales/test-kit';
import { surveysService } from '../src/surveys.module';

// Inherited suite: every consumer of the service, every contract it handles (libs/test-kit/src/poison-suite.ts).
// Surveys seals the contacts customers leave, so it starts only with a master key.
describePoisonMessages(surveysService, { env: { PRIVACY_MASTER_KEY: randomBytes(32).toString('base64') } });
