import { Inject, Injectable } from '@nestjs/common';
import { Type, type Static } from '@sinclair/typebox';
import type { PoolClient } from 'pg';
import { Commands, fold, inTransaction, type CommandOrigin, type ServiceDatabase } from '@aftersales/eventstore';
import { DomainError } from '@aftersales/domain';
import { Role, type Principal } from '@aftersales/platform-http';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import { hasPersonalData, PersonalDataVault, pickPersonalData, type PersonalData } from '@aftersales/privacy';
import { complaintDecider, type ComplaintState, type RegisterComplaint } from '../domain/complaint.decider';

export class ComplaintNotFound extends DomainError {
  constructor(complaintId: string) {
    super('COMPLAINT.NOT_FOUND', 'not_found', `No complaint ${complaintId} in your tenant`);
  }
}

export class PersonalDataAccessDenied extends DomainError {
  constructor() {
    super(
      'PRIVACY.ACCESS_DENIED',
      'forbidden',
      `Reading customers' personal data needs one of the roles: ${PERSONAL_DATA_READERS.join(', ')}`,
      'Least privilege: only the people who talk to customers see their contact details',
    );
  }
}

/**
 * Roles that may see a customer's personal data (with a stated purpose). Admin is deliberately not among
 * them: administering the platform does not need customers' contact details.
 */
export const PERSONAL_DATA_READERS: readonly string[] = [Role.Agent, Role.Supervisor, Role.CsManager];

export const complaintStream = (complaintId: string) => `complaint-${complaintId}`;

export type RegisteredComplaint = Extract<ComplaintState, { status: 'registered' }>;

/** What `POST /complaints` hands over: the customer's contact details still in plaintext, sealed here. */
export type RegisterComplaintInput = Omit<RegisterComplaint['data'], 'customerId' | 'customerData'> & {
  readonly customer: { readonly id: string } & PersonalData;
};

/**
 * The customer of a complaint as a caller may see them: erased; their contact details sealed (`redacted`, no purpose
 * stated); or the contact details themselves (a purpose stated by a reader of personal data, or none were given).
 */
export const CustomerView = Type.Union(
  [
    Type.Object({ id: Type.String(), erased: Type.Literal(true) }),
    Type.Object({ id: Type.String(), erased: Type.Literal(false), redacted: Type.Literal(true) }),
    Type.Object({
      id: Type.String(),
      erased: Type.Literal(false),
      name: Type.Optional(Type.String()),
      phone: Type.Optional(Type.String()),
      email: Type.Optional(Type.String()),
      address: Type.Optional(Type.String()),
    }),
  ],
  { title: 'CustomerView' },
);
export type CustomerView = Static<typeof CustomerView>;

/** Application service of the Complaint aggregate: personal data sealed on the way in, opened (audited) on the way out. */
@Injectable()
export class ComplaintsService {
  constructor(
    // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
    @Inject(Commands) private readonly commands: Commands,
    @Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase,
    @Inject(PersonalDataVault) private readonly vault: PersonalDataVault,
  ) {}

  /**
   * Seals the customer's contact details and appends `ComplaintRegistered` in one transaction: the event
   * store (and so Kafka) only ever receives the ciphertext.
   */
  async register(origin: CommandOrigin, input: RegisterComplaintInput): Promise<RegisteredComplaint> {
    const { customer, ...complaint } = input;
    const personalData = pickPersonalData(customer);
    const register = async (tx: PoolClient | undefined) => {
      const customerData =
        tx && hasPersonalData(personalData)
          ? await this.vault.seal(tx, origin.tenant, customer.id, personalData)
          : undefined;
      const data: RegisterComplaint['data'] = {
        ...complaint,
        customerId: customer.id,
        ...(customerData
          ? { customerData: { ciphertext: customerData.ciphertext, keyVersion: customerData.keyVersion } }
          : {}),
      };
      const result = await this.commands.handle(
        complaintDecider,
        complaintStream(complaint.complaintId),
        origin,
        { type: 'RegisterComplaint', data },
        // Complaint ids are new (client-chosen UUIDs): append at once, read only if the id is taken.
        { expectNewStream: true, ...(tx ? { tx } : {}) },
      );
      if (result.state.status !== 'registered' || result.state.tenant !== origin.tenant) {
        throw new ComplaintNotFound(complaint.complaintId);
      }
      return result.state;
    };
    // Sealing writes the customer's key beside the event: one transaction. Without personal data the append is a
    // single statement, atomic on its own (one round trip instead of four).
    return hasPersonalData(personalData) ? inTransaction(this.database.pool, register) : register(undefined);
  }

  /** A complaint of the caller's tenant; another tenant's complaint is indistinguishable from none. */
  async get(tenant: string, complaintId: string): Promise<RegisteredComplaint> {
    const state = fold(complaintDecider, await this.commands.store.readStream(complaintStream(complaintId)));
    if (state.status !== 'registered' || state.tenant !== tenant) throw new ComplaintNotFound(complaintId);
    return state;
  }

  /**
   * The complaint's customer. Without a purpose the contact details stay sealed (`redacted`); with one, a
   * caller holding a {@link PERSONAL_DATA_READERS} role gets them decrypted, and the read is logged (who,
   * when, why, which complaint). After erasure: `erased: true`, whoever asks.
   */
  async customerOf(principal: Principal, complaint: RegisteredComplaint, purpose?: string): Promise<CustomerView> {
    const { customerId, customerData, complaintId } = complaint.registered;
    if (purpose !== undefined && !principal.roles.some((r) => PERSONAL_DATA_READERS.includes(r))) {
      throw new PersonalDataAccessDenied();
    }
    if (customerData && purpose !== undefined) {
      const opened = await this.vault.open(principal.tenant, customerId, customerData, {
        actor: principal.subject,
        roles: principal.roles,
        purpose,
        resource: `complaint/${complaintId}`,
      });
      return opened ? { id: customerId, erased: false, ...opened } : { id: customerId, erased: true };
    }
    const status = await this.vault.status(principal.tenant, customerId);
    if (status.state === 'erased') return { id: customerId, erased: true };
    return customerData ? { id: customerId, erased: false, redacted: true } : { id: customerId, erased: false };
  }
}
