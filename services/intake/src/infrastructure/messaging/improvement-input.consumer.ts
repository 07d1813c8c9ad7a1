import { Controller, Inject } from '@nestjs/common';
import { ImprovementInputRaisedV1 } from '@aftersales/contracts';
import { Handles, type InboxEvent } from '@aftersales/messaging';
import { ImprovementInputHandler } from '../../application/improvement-input.handler';

/**
 * Inbox consumer `improvement-input`: surveys' unsatisfied answers and suggestions about resolved cases
 * (`aftersales.surveys.improvement-input-raised.v1`) become follow-up or quality-review cases. Dead letters:
 * `aftersales.intake.improvement-input.dlq`.
 */
@Controller()
export class ImprovementInputConsumer {
  constructor(@Inject(ImprovementInputHandler) private readonly handler: ImprovementInputHandler) {}

  @Handles(ImprovementInputRaisedV1)
  async onImprovementInputRaised({ tx, origin, data }: InboxEvent<ImprovementInputRaisedV1>): Promise<void> {
    await this.handler.open(tx, origin, data);
  }
}
