import type { FactoryProvider } from '@nestjs/common';
import type { ServiceDatabase } from '@aftersales/eventstore';
import { CLOCK, SERVICE_DATABASE, type Clock } from '@aftersales/service-runtime';
import { masterKeyProviderFromEnv, PersonalDataVault, type MasterKeyProvider } from '@aftersales/privacy';

/**
 * The privacy vault on intake's database. The master key comes from `PRIVACY_MASTER_KEY` (and, while a rotation runs,
 * the previous ones from `PRIVACY_PREVIOUS_MASTER_KEYS`): without it the service refuses to start (the error says how
 * to make one) rather than accept personal data it cannot protect.
 */
export const personalDataVaultProvider: FactoryProvider<PersonalDataVault> = {
  provide: PersonalDataVault,
  inject: [SERVICE_DATABASE, CLOCK],
  useFactory: (database: ServiceDatabase, clock: Clock) => {
    let keys: MasterKeyProvider;
    try {
      keys = masterKeyProviderFromEnv();
    } catch (error) {
      throw new Error(`intake cannot start: ${(error as Error).message}`);
    }
    return new PersonalDataVault({ db: database.pool, keys, clock });
  },
};
