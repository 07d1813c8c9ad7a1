import { Controller, Get, Inject, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import {
  CurrentPrincipal,
  Responds,
  Role,
  Roles,
  SchemaPipe,
  ValidationProblem,
  type Principal,
} from '@aftersales/platform-http';
import { CaseTimeline, decodeTimelineCursor } from '../../application/case-timeline.query';
import { CaseTimelineQuery, CaseTimelineView } from './case-timeline.views';

/** Who reads a case's timeline: the people working on cases, and the shop systems that show them. */
const TIMELINE_ROLES = [Role.Agent, Role.Supervisor, Role.CsManager, Role.CsDirector, Role.Integrator] as const;

const DEFAULT_PAGE_SIZE = 100;

@Controller('cases')
export class CaseTimelineHttpController {
  // Explicit token: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
  constructor(@Inject(CaseTimeline) private readonly timeline: CaseTimeline) {}

  /**
   * One timeline per case: everything that happened to it in every service (intake's own events, and every event of
   * another service that names the case), oldest first, with time, service, actor, an objective summary and a link.
   * Cursor paging: `?limit=` entries, then `?cursor=<nextCursor>`.
   */
  @Get(':caseId/timeline')
  @Roles(...TIMELINE_ROLES)
  @Responds(200, CaseTimelineView)
  async read(
    @CurrentPrincipal() principal: Principal,
    @Param('caseId', new ParseUUIDPipe()) caseId: string,
    @Query(new SchemaPipe(CaseTimelineQuery)) query: CaseTimelineQuery,
  ): Promise<CaseTimelineView> {
    const after = query.cursor === undefined ? null : decodeTimelineCursor(query.cursor);
    if (query.cursor !== undefined && after === null) {
      throw new ValidationProblem([{ pointer: '/cursor', detail: 'is not a cursor of this timeline' }]);
    }
    const limit = query.limit === undefined ? DEFAULT_PAGE_SIZE : Number(query.limit);
    return this.timeline.read(principal.tenant, caseId, { limit, after });
  }
}
