import { describePoisonMessages } from '@aftersales/test-kit';
import { incidentsService } from '../src/incidents.module';

// Inherited suite: every consumer of the service, every contract it handles (libs/test-kit/src/poison-suite.ts).
describePoisonMessages(incidentsService);
