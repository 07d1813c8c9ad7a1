import { randomBytes } from 'node:crypto';
import type { ServiceDatabase } from '@aftersales/eventstore';
import { PersonalDataVault } from '@aftersales/privacy';
import { personalDataVaultProvider } from './personal-data-vault.provider';

describe('intake privacy configuration', () => {
  const saved = process.env.PRIVACY_MASTER_KEY;
  const database = { pool: { query: jest.fn() } } as unknown as ServiceDatabase;
  const clock = () => new Date();

  afterEach(() => {
    if (saved === undefined) delete process.env.PRIVACY_MASTER_KEY;
    else process.env.PRIVACY_MASTER_KEY = saved;
  });

  it('refuses to start without PRIVACY_MASTER_KEY, saying how to make one', () => {
    delete process.env.PRIVACY_MASTER_KEY;
    expect(() => personalDataVaultProvider.useFactory(database, clock)).toThrow(
      /intake cannot start: PRIVACY_MASTER_KEY is not set.*openssl rand -base64 32/,
    );
  });

  it('refuses a key that is not 32 bytes of base64', () => {
    process.env.PRIVACY_MASTER_KEY = randomBytes(16).toString('base64');
    expect(() => personalDataVaultProvider.useFactory(database, clock)).toThrow(/exactly 32 bytes/);
  });

  it('builds the vault with a valid key', () => {
    process.env.PRIVACY_MASTER_KEY = randomBytes(32).toString('base64');
    expect(personalDataVaultProvider.useFactory(database, clock)).toBeInstanceOf(PersonalDataVault);
  });
});
