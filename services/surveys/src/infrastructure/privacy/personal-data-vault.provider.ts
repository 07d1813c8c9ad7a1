import type { FactoryProvider } from '@nestjs/common';
import type { ServiceDatabase } from '@aftersales/eventstore';
import { masterKeyFromEnv, PersonalDataVault } from '@aftersales/privacy';
import { CLOCK, SERVICE_DATABASE, type Clock } from '@aftersales/service-runtime';

/**
 * The privacy vault on surveys' database (the contacts customers leave with their answers). The master key comes
 * from `PRIVACY_MASTER_KEY`: without it the service refuses to start rather than accept personal data it cannot
 * protect.
 */
export const personalDataVaultProvider: FactoryProvider<PersonalDataVault> = {
  provide: PersonalDataVault,
  inject: [SERVICE_DATABASE, CLOCK],
  useFactory: (database: ServiceDatabase, clock: Clock) => {
    let masterKey: Buffer;
    try {
      masterKey = masterKeyFromEnv();
    } catch (error) {
      throw new Error(`surveys cannot start: ${(error as Error).message}`);
    }
    return new PersonalDataVault({ db: database.pool, masterKey, clock });
  },
};
