import { Controller, Inject } from '@nestjs/common';
import { CaseOpenedV1 } from '@aftersales/contracts';
import { Handles, type InboxEvent } from '@aftersales/messaging';
import { CASE_REGISTER, type CaseRegister } from '../../application/case-register.port';

/** Consumer `case-register` (intake's topic): every opened case, in the inbox transaction (exactly once). */
@Controller()
export class CaseOpenedConsumer {
  constructor(@Inject(CASE_REGISTER) private readonly cases: CaseRegister) {}

  @Handles(CaseOpenedV1)
  async onCaseOpened({ tx, tenant, data, id }: InboxEvent<CaseOpenedV1>): Promise<void> {
    await this.cases.record(
      tx,
      tenant,
      { caseId: data.caseId, customerId: data.customerId, orderId: data.orderId },
      id,
    );
  }
}
