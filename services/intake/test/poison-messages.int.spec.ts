import { describePoisonMessages } from '@aftersales/test-kit';
import { intakeService } from '../src/intake.module';

// Inherited suite: every consumer of the service, every contract it handles (libs/test-kit/src/poison-suite.ts).
describePoisonMessages(intakeService);
