import { Body, Controller, Get, Inject, Put, Query } from '@nestjs/common';
import type { CommandOrigin } from '@aftersales/eventstore';
import {
  CurrentPrincipal,
  RequestOrigin,
  Responds,
  Role,
  Roles,
  SchemaPipe,
  type Principal,
} from '@aftersales/platform-http';
import { BUDGET_BOOK, LEDGER, type BudgetBook, type Ledger } from '../../application/compensation.ports';
import {
  CompensationPoliciesService,
  type TenantCompensationPolicy,
} from '../../application/compensation-policies.service';
import type { CompensationPolicy } from '../../domain/compensation-policy';
import {
  BudgetsQuery,
  BudgetsView,
  CompensationPolicyBody,
  CompensationPolicyView,
  LedgerQuery,
  LedgerView,
} from './compensation.schemas';

const MANAGERS = [Role.Supervisor, Role.CsManager, Role.CsDirector] as const;

function policyView(settings: TenantCompensationPolicy): CompensationPolicyView {
  const p = settings.policy;
  return {
    ...settings,
    policy: {
      ...p,
      instruments: [...p.instruments],
      approvalMatrix: {
        agent: { ...p.approvalMatrix.agent },
        supervisor: { ...p.approvalMatrix.supervisor },
        'cs-manager': { ...p.approvalMatrix['cs-manager'] },
        'cs-director': { ...p.approvalMatrix['cs-director'] },
      },
      emergencyFundMinor: { ...p.emergencyFundMinor },
    },
  };
}

/** The tenant's compensation policy (instrument rules, approval matrix, expiries, budgets). */
@Controller('compensation-policies')
export class CompensationPoliciesHttpController {
  constructor(@Inject(CompensationPoliciesService) private readonly policies: CompensationPoliciesService) {}

  @Get()
  @Roles(Role.Agent, ...MANAGERS)
  @Responds(200, CompensationPolicyView)
  async get(@CurrentPrincipal() principal: Principal): Promise<CompensationPolicyView> {
    return policyView(await this.policies.settings(principal.tenant));
  }

  /** Replaces the policy; it applies to requests decided from now on. 400 with the problems when inconsistent. */
  @Put()
  @Roles(Role.CsManager, Role.CsDirector)
  @Responds(200, CompensationPolicyView, { description: 'The policy as saved' })
  async put(
    @RequestOrigin() origin: CommandOrigin,
    @Body(new SchemaPipe(CompensationPolicyBody)) body: CompensationPolicyBody,
  ): Promise<CompensationPolicyView> {
    return policyView(await this.policies.set(origin, body as CompensationPolicy));
  }
}

/** The money: budgets (limit, reserved, spent, available) and the double-entry ledger with derived balances. */
@Controller()
export class CompensationBooksHttpController {
  constructor(
    @Inject(BUDGET_BOOK) private readonly budgets: BudgetBook,
    @Inject(LEDGER) private readonly ledger: Ledger,
  ) {}

  @Get('budgets')
  @Roles(...MANAGERS)
  @Responds(200, BudgetsView)
  async listBudgets(
    @CurrentPrincipal() principal: Principal,
    @Query(new SchemaPipe(BudgetsQuery)) query: BudgetsQuery,
  ): Promise<BudgetsView> {
    const budgets = await this.budgets.list(principal.tenant, {
      ...(query.month ? { month: query.month } : {}),
      ...(query.incidentId ? { incidentId: query.incidentId } : {}),
    });
    return { budgets: budgets.map((b) => ({ ...b, scope: { ...b.scope } })) };
  }

  /** Movements (newest first) and balances derived from their entries, for a cause kind or one cause. */
  @Get('ledger')
  @Roles(...MANAGERS)
  @Responds(200, LedgerView)
  async readLedger(
    @CurrentPrincipal() principal: Principal,
    @Query(new SchemaPipe(LedgerQuery)) query: LedgerQuery,
  ): Promise<LedgerView> {
    const [causeKind, ...rest] = query.cause ? query.cause.split(':') : [];
    const filter = { ...(causeKind ? { causeKind } : {}), ...(rest.length > 0 ? { causeId: rest.join(':') } : {}) };
    const [movements, balances] = await Promise.all([
      this.ledger.movements(principal.tenant, { ...filter, limit: query.limit ? Number(query.limit) : 100 }),
      this.ledger.balances(principal.tenant, filter),
    ]);
    return {
      movements: movements.map((m) => ({ ...m, cause: { ...m.cause }, entries: m.entries.map((e) => ({ ...e })) })),
      balances: balances.map((b) => ({ ...b })),
    };
  }
}
