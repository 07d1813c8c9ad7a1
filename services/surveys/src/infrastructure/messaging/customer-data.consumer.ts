import { Controller, Inject } from '@nestjs/common';
import { CustomerDataErasedV1 } from '@aftersales/contracts';
import { Handles, type InboxEvent } from '@aftersales/messaging';
import { CaseSurveysService } from '../../application/case-surveys.service';

/**
 * Inbox consumer `customer-data` on the intake topic: a customer erased in intake (`CustomerDataErasedV1`) is erased
 * here too — surveys destroys its own key of the customer (the contacts left with survey answers), in the inbox
 * transaction. Dead letters: `aftersales.surveys.customer-data.dlq`.
 */
@Controller()
export class CustomerDataConsumer {
  constructor(@Inject(CaseSurveysService) private readonly surveys: CaseSurveysService) {}

  @Handles(CustomerDataErasedV1)
  async onCustomerDataErased({ tx, origin, data }: InboxEvent<CustomerDataErasedV1>): Promise<void> {
    await this.surveys.eraseCustomer(tx, origin, data.customerId);
  }
}
