/**
 * `@aftersales/privacy` — crypto-shredding of customers' personal data: a per-customer data key wrapped by
 * a master key, sealed ciphertexts in events, audited reads and erasure by destroying the key.
 *
 * ```ts
 * import { PersonalDataVault, PrivacyMigrations, masterKeyFromEnv } from '@aftersales/privacy';
 * ```
 *
 * @packageDocumentation
 */
export {
  CiphertextRejected,
  MASTER_KEY_ENV,
  decrypt,
  decryptPersonalData,
  encrypt,
  encryptPersonalData,
  generateDataKey,
  hasPersonalData,
  masterKeyFromEnv,
  parseMasterKey,
  pickPersonalData,
  unwrapDataKey,
  wrapDataKey,
  type CiphertextBinding,
  type PersonalData,
} from './crypto';
export {
  AccessPurposeRequired,
  CustomerDataErased,
  PersonalDataVault,
  type AccessLogEntry,
  type AccessOutcome,
  type CustomerKeyStatus,
  type DataAccess,
  type Erasure,
  type PersonalDataVaultOptions,
  type SealedPersonalData,
  type SqlClient,
} from './vault';
export { CreatePrivacy1732500300000, PrivacyMigrations } from './migrations/1732500300000-create-privacy';
export { PrivacyMasterKeyId1796200000000 } from './migrations/1796200000000-master-key-id';
export {
  LocalMasterKeyProvider,
  localKeyId,
  masterKeyProviderFromEnv,
  PREVIOUS_MASTER_KEYS_ENV,
  type KeyContext,
  type MasterKeyProvider,
} from './key-provider';
export {
  rotateMasterKey,
  wrappedKeyCounts,
  type ClientPool,
  type RotationResult,
  type TransactionalClient,
} from './rotation';
