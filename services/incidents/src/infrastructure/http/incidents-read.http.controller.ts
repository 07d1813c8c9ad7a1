import { Controller, Get, Inject, NotFoundException, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { Type } from '@sinclair/typebox';
import {
  CurrentPrincipal,
  Role,
  Responds,
  Roles,
  SchemaPipe,
  ValidationProblem,
  type Principal,
} from '@aftersales/platform-http';
import { CLOCK, type Clock } from '@aftersales/service-runtime';
import {
  AuditVerificationView,
  IncidentArchiveView,
  IncidentDetailView,
  IncidentKpisView,
  IncidentPageView,
  IncidentTimelineView,
  KnowledgeBasePageView,
} from '../read-model/incident-views';
import {
  decodeIncidentCursor,
  decodeKnowledgeCursor,
  IncidentsReadQueries,
} from '../read-model/incidents-read.queries';
import { ARCHIVE_REPORT_CSP, renderArchiveReport } from './incident-archive.report';
import { IncidentKpisQuery, KnowledgeBaseQuery, ListIncidentsQuery } from './incidents-read.request';

/** Everyone who works incidents may read them. */
const READ_ROLES = [
  Role.Agent,
  Role.Supervisor,
  Role.CsManager,
  Role.CsDirector,
  Role.IncidentCommander,
  Role.Quality,
  Role.Logistics,
  Role.Pr,
  Role.Legal,
];
/** Checking the audit trail's tamper evidence is for supervision and quality (admin always passes). */
const AUDIT_ROLES = [Role.Supervisor, Role.CsDirector, Role.IncidentCommander, Role.Admin, Role.Quality];
/** Response KPIs are for those who steer the service. */
const KPI_ROLES = [Role.Supervisor, Role.CsManager, Role.CsDirector, Role.IncidentCommander, Role.Quality];

/**
 * A closed incident's archive (every form, with the customers' references) is the record of leadership, quality and
 * legal: those who lead or check incidents.
 */
const ARCHIVE_ROLES = [
  Role.Supervisor,
  Role.CsManager,
  Role.CsDirector,
  Role.IncidentCommander,
  Role.GeneralManager,
  Role.Quality,
  Role.Legal,
];
/** The knowledge base is for everyone who solves customers' problems (seed 004 §5: tech support keeps it current). */
const KNOWLEDGE_ROLES = [...READ_ROLES, Role.GeneralManager, Role.TechSupport];

const DEFAULT_PAGE_SIZE = 50;
const DEFAULT_KPI_DAYS = 30;

function notFound(incidentId: string): NotFoundException {
  return new NotFoundException(`No incident ${incidentId} in your tenant`);
}

function dateParam(value: string | undefined, pointer: string): Date | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new ValidationProblem([{ pointer, detail: 'must be an ISO 8601 date or date-time' }]);
  return new Date(ms);
}

/**
 * The incidents read API. Every query is scoped to the caller's tenant: another tenant's incident answers 404, as one
 * that does not exist; an id that is not a UUID answers 400, as the commands do. Lists, the incident page and KPIs read the projection (eventually consistent, usually within
 * a few tens of milliseconds); the timeline and the audit verification read the event stream itself.
 */
@Controller()
export class IncidentsReadHttpController {
  constructor(
    @Inject(IncidentsReadQueries) private readonly queries: IncidentsReadQueries,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Open incidents (or those in `status`), most severe first, oldest first within a level. */
  @Get('incidents')
  @Roles(...READ_ROLES)
  @Responds(200, IncidentPageView)
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query(new SchemaPipe(ListIncidentsQuery)) query: ListIncidentsQuery,
  ): Promise<IncidentPageView> {
    const after = query.cursor === undefined ? undefined : decodeIncidentCursor(query.cursor);
    if (after === null) throw new ValidationProblem([{ pointer: '/cursor', detail: 'is not a cursor of this list' }]);
    return this.queries.list(principal.tenant, {
      level: query.level,
      phase: query.status,
      category: query.category,
      limit: query.limit === undefined ? DEFAULT_PAGE_SIZE : Number(query.limit),
      after,
    });
  }

  /** The incident with its team, complaints, pages, deadlines, phase and latest events. */
  @Get('incidents/:id')
  @Roles(...READ_ROLES)
  @Responds(200, IncidentDetailView)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<IncidentDetailView> {
    const incident = await this.queries.get(principal.tenant, id);
    if (!incident) throw notFound(id);
    return incident;
  }

  /** The audit trail: every event of the stream with who, when, why, and the state before and after. */
  @Get('incidents/:id/timeline')
  @Roles(...READ_ROLES)
  @Responds(200, IncidentTimelineView)
  async timeline(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<IncidentTimelineView> {
    const timeline = await this.queries.timeline(principal.tenant, id);
    if (!timeline) throw notFound(id);
    return timeline;
  }

  /** Recomputes the stream's hash chain; 200 with `ok: false` and the first invalid event when it was tampered with. */
  @Get('incidents/:id/audit/verify')
  @Roles(...AUDIT_ROLES)
  @Responds(200, AuditVerificationView)
  async verify(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<AuditVerificationView> {
    const result = await this.queries.verify(principal.tenant, id);
    if (!result) throw notFound(id);
    return result;
  }

  /**
   * The archive of a closed incident (seed 004 §4(四)4): the guide's seven forms as canonical JSON, its SHA-256 as the
   * stream recorded it, and whether it is intact. 404 until the incident is closed.
   */
  @Get('incidents/:id/archive')
  @Roles(...ARCHIVE_ROLES)
  @Responds(200, IncidentArchiveView)
  async archive(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<IncidentArchiveView> {
    const archive = await this.queries.archive(principal.tenant, id);
    if (!archive) throw notFound(id);
    return archive;
  }

  /** The archive as a printable, self-contained HTML report (escaped; print styles; no script, no external resource). */
  @Get('incidents/:id/archive/report')
  @Roles(...ARCHIVE_ROLES)
  @Responds(200, Type.String(), {
    description: "The archive's printable HTML report: the seven forms, the hash and whether the archive is intact",
    contentType: 'text/html',
  })
  async archiveReport(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Res({ passthrough: true }) res: { setHeader(k: string, v: string): void },
  ): Promise<string> {
    const archive = await this.queries.archive(principal.tenant, id);
    if (!archive) throw notFound(id);
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Content-Security-Policy', ARCHIVE_REPORT_CSP);
    return renderArchiveReport(archive);
  }

  /** Knowledge-base entries of closed incidents (problem, cause, solution, prevention), by category and product. */
  @Get('knowledge-base')
  @Roles(...KNOWLEDGE_ROLES)
  @Responds(200, KnowledgeBasePageView)
  async knowledgeBase(
    @CurrentPrincipal() principal: Principal,
    @Query(new SchemaPipe(KnowledgeBaseQuery)) query: KnowledgeBaseQuery,
  ): Promise<KnowledgeBasePageView> {
    const after = query.cursor === undefined ? undefined : decodeKnowledgeCursor(query.cursor);
    if (after === null) throw new ValidationProblem([{ pointer: '/cursor', detail: 'is not a cursor of this list' }]);
    return this.queries.knowledgeBase(principal.tenant, {
      category: query.category,
      product: query.product,
      limit: query.limit === undefined ? DEFAULT_PAGE_SIZE : Number(query.limit),
      after,
    });
  }

  /**
   * Per level: incidents opened in `[from, to)`, time to page, to first contact and to resolve, breaches; and the
   * recurrence rate of each category and product over the incidents resolved in `[from, to)`.
   */
  @Get('kpis')
  @Roles(...KPI_ROLES)
  @Responds(200, IncidentKpisView)
  async kpis(
    @CurrentPrincipal() principal: Principal,
    @Query(new SchemaPipe(IncidentKpisQuery)) query: IncidentKpisQuery,
  ): Promise<IncidentKpisView> {
    const to = dateParam(query.to, '/to') ?? this.clock();
    const from = dateParam(query.from, '/from') ?? new Date(to.getTime() - DEFAULT_KPI_DAYS * 24 * 3_600_000);
    if (from.getTime() >= to.getTime())
      throw new ValidationProblem([{ pointer: '/from', detail: 'must be before to' }]);
    return this.queries.kpis(principal.tenant, from, to);
  }
}
