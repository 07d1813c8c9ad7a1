import { randomBytes } from 'node:crypto';
import { describePoisonMessages } from '@aftersales/test-kit';
import { intakeService } from '../src/intake.module';

// Inherited suite: every consumer of the service, every contract it handles (libs/test-kit/src/poison-suite.ts). Intake
// seals personal data, so it starts only with a master key.
describePoisonMessages(intakeService, { env: { PRIVACY_MASTER_KEY: randomBytes(32).toString('base64') } });
