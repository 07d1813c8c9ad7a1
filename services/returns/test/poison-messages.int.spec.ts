import { describePoisonMessages } from '@aftersales/test-kit';
import { returnsService } from '../src/returns.module';

// Inherited suite: every consumer of the service, every contract it handles (libs/test-kit/src/poison-suite.ts).
describePoisonMessages(returnsService);
