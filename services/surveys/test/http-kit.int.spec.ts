import { randomBytes, randomUUID } from 'node:crypto';
import { CaseOpenedV1, CaseResolvedV1, ComplaintAttachedV1, IncidentResolvedV1 } from '@aftersales/contracts';
import { describeHttpKit } from '@aftersales/test-kit';
import { surveysService } from '../src/surveys.module';

// The inherited HTTP suites (OpenAPI, tokens, authorization grid, hostile input), seeded through surveys' input events:
// a resolved case in its register with its survey scheduled, and a resolved incident whose customer was surveyed, all
// in tenant A. Surveys seals the contacts customers leave, so it starts only with a master key.
describeHttpKit(surveysService, {
  env: { PRIVACY_MASTER_KEY: randomBytes(32).toString('base64') },
  seed: async ({ tenant, marker, publish, request, eventually }) => {
    const caseId = randomUUID();
    const incidentId = randomUUID();
    const customerId = `cus-${marker}`;
    const now = new Date().toISOString();
    await publish(CaseOpenedV1, {
      caseId,
      tenantId: tenant,
      channel: 'chat',
      orderId: 'ORD-1',
      customerId,
      problemType: 'quality',
      description: marker,
      evidence: [],
      openedAt: now,
    });
    await publish(CaseResolvedV1, {
      caseId,
      tenantId: tenant,
      solutionKind: 'reship',
      outcome: marker,
      basis: marker,
      objectionRoute: marker,
      reopenableUntil: now,
      resolvedAt: now,
    });
    await publish(ComplaintAttachedV1, {
      incidentId,
      tenantId: tenant,
      complaintId: randomUUID(),
      customerId,
      attachedAt: now,
    });
    await publish(IncidentResolvedV1, {
      incidentId,
      tenantId: tenant,
      level: 'L3',
      summary: marker,
      satisfactionTarget: 80,
      retrospectiveDueAt: now,
      resolvedAt: now,
    });
    const surveyId = await eventually(async () => {
      const res = await request('GET', `/surveys?incidentId=${incidentId}`);
      return (res.json as { surveys?: Array<{ surveyId: string }> }).surveys?.[0]?.surveyId;
    }, 'the survey of the resolved incident');
    await eventually(
      async () => ((await request('GET', `/case-register/${caseId}`)).status === 200 ? true : undefined),
      'the registered case',
    );
    const caseSurveyId = await eventually(async () => {
      const res = await request('GET', `/case-surveys?caseId=${caseId}`);
      return (res.json as { surveys?: Array<{ surveyId: string }> }).surveys?.[0]?.surveyId;
    }, 'the survey of the resolved case');
    return { resources: { caseId, incidentId, surveyId, caseSurveyId } };
  },
});
