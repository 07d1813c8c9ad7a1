import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '@aftersales/contracts';
import { scoreScale, surveyChannels } from '../../domain/survey-policy';

const score = (description: string) => Type.Integer({ minimum: scoreScale.min, maximum: scoreScale.max, description });

/** Body of `POST /surveys/:surveyId/answers`: the customer's answer, as the agent (or an integrator) records it. */
export const AnswerSurveyRequest = Type.Object(
  {
    responseSpeed: score('How fast the problem was handled, 1 (very poor) to 5 (very good)'),
    result: score('How well it was solved, 1 to 5'),
    attitude: score("Staff's attitude, 1 to 5"),
    suggestion: Type.Optional(
      Type.String({ maxLength: 4000, description: 'Free-text suggestion, routed as improvement input' }),
    ),
    answeredVia: Type.Optional(
      StringEnum(surveyChannels, { description: 'How the answer came back; the survey channel when absent' }),
    ),
  },
  { additionalProperties: false },
);
export type AnswerSurveyRequest = Static<typeof AnswerSurveyRequest>;

/** Query of `GET /surveys`. */
export const ListSurveysQuery = Type.Object(
  { incidentId: Type.String({ format: 'uuid', description: 'The incident whose surveys to list' }) },
  { additionalProperties: false },
);
export type ListSurveysQuery = Static<typeof ListSurveysQuery>;
