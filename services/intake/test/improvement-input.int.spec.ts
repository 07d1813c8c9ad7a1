import { randomBytes, randomUUID } from 'node:crypto';
import { CaseOpenedV1, ImprovementInputRaisedV1, Topics } from '@aftersales/contracts';
import { readTopicWithKcat, uniqueName } from '@aftersales/testing';
import { ContractPublisher, eventually, startTestService, type TestService } from '@aftersales/test-kit';
import { improvementCaseIdOf } from '../src/application/improvement-input.handler';
import { intakeService } from '../src/intake.module';

interface CaseView {
  caseId: string;
  channel: string;
  problemType: string;
  customerId: string;
  orderId: string;
  description: string;
}

// CONTEXT: intake runs in-process on real Postgres and Kafka; surveys is played by the test kit's ContractPublisher
// (its contract events with the CloudEvents headers and Kafka keys its relay uses). What intake opens is read through
// its API and, for the published CaseOpenedV1, with kcat.
describe('intake: surveys’ improvement input becomes a follow-up or quality-review case (seed 000 §3.4 反饋處理)', () => {
  const tenant = uniqueName('shop');
  const agent = { caller: { tenant, roles: ['agent'], subject: 'agent-7' } };
  let intake: TestService;
  let upstream: ContractPublisher;

  beforeAll(async () => {
    intake = await startTestService(intakeService, {
      env: { PRIVACY_MASTER_KEY: randomBytes(32).toString('base64') },
    });
    upstream = await ContractPublisher.connect();
  });

  afterAll(async () => {
    await upstream?.close();
    await intake?.close();
  });

  const input = (route: 'follow-up-case' | 'quality-review'): ImprovementInputRaisedV1 => ({
    caseId: randomUUID(),
    tenantId: tenant,
    surveyId: randomUUID(),
    customerId: 'cus-42',
    orderId: 'ORD-42',
    problemType: 'logistics',
    team: 'after-sales-east',
    agentId: 'agent-7',
    reasons: route === 'follow-up-case' ? ['unsatisfied', 'suggestion'] : ['suggestion'],
    unsatisfiedDimensions: route === 'follow-up-case' ? ['responseSpeed'] : [],
    scores: { responseSpeed: route === 'follow-up-case' ? 2 : 5, result: 4, attitude: 5 },
    route,
    raisedAt: new Date().toISOString(),
  });
  const caseOf = (caseId: string) =>
    eventually(
      async () => {
        const res = await intake.call<CaseView>('GET', `/cases/${caseId}`, agent);
        return res.status === 200 ? res.body : undefined;
      },
      `case ${caseId}`,
      30_000,
    );

  it('opens one follow-up case for an unsatisfied answer, however often the event is delivered', async () => {
    const unsatisfied = input('follow-up-case');
    // The same event twice under new ids (a producer retry): one case all the same.
    await upstream.publish(ImprovementInputRaisedV1, unsatisfied);
    await upstream.publish(ImprovementInputRaisedV1, unsatisfied);
    const caseId = improvementCaseIdOf(tenant, unsatisfied.surveyId);
    const opened = await caseOf(caseId);
    expect(opened).toMatchObject({
      channel: 'phone',
      problemType: 'complaint',
      customerId: 'cus-42',
      orderId: 'ORD-42',
    });
    expect(opened.description).toContain('response speed 2/5');
    expect(opened.description).toContain(unsatisfied.caseId);
    expect(opened.description).toContain('team after-sales-east');

    const { rows } = await intake.pool.query<{ recorded_at: Date }>(
      `SELECT recorded_at FROM es_events WHERE stream_id = $1 AND type = 'CaseOpened'`,
      [`case-${caseId}`],
    );
    expect(rows).toHaveLength(1);
    // The topics are shared: an intake another test file runs at the same time consumes the same input and opens the
    // same case (its id follows from the survey) in its own database. This one's is the event it recorded then.
    const recordedAt = rows[0]!.recorded_at.toISOString();
    const published = await readTopicWithKcat(Topics.intake, {
      count: 1,
      timeoutMs: 30_000,
      until: (m) => m.headers.ce_type === CaseOpenedV1.type && m.key === caseId && m.headers.ce_time === recordedAt,
    });
    expect(published).toHaveLength(1);
  });

  it('opens a suggestion case for the quality group’s review of a suggestion alone', async () => {
    const suggestion = input('quality-review');
    await upstream.publish(ImprovementInputRaisedV1, suggestion);
    const opened = await caseOf(improvementCaseIdOf(tenant, suggestion.surveyId));
    expect(opened).toMatchObject({ problemType: 'suggestion', customerId: 'cus-42' });
    expect(opened.description).toContain('Quality review of a survey suggestion');
  });
});
