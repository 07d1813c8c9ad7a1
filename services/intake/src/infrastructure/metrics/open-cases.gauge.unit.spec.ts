import { openCaseStatuses } from '../read-model/case-reads.views';
import { openCaseSeries, OTHER_TENANTS, TENANT_SERIES } from './open-cases.gauge';

const valueOf = (series: ReturnType<typeof openCaseSeries>, tenant: string, status: string) =>
  series.find((s) => s.tenant === tenant && s.status === status)?.value;

describe('the open-cases gauge series', () => {
  it('names each tenant and every open stage of it, 0 where it has none', () => {
    const series = openCaseSeries([
      { tenant: 'shop-1', status: 'assigned', n: 3 },
      { tenant: 'shop-1', status: 'reopened', n: 1 },
      { tenant: 'shop-2', status: 'opened', n: 2 },
    ]);
    expect(series).toHaveLength(2 * openCaseStatuses.length);
    expect(valueOf(series, 'shop-1', 'assigned')).toBe(3);
    expect(valueOf(series, 'shop-1', 'reopened')).toBe(1);
    expect(valueOf(series, 'shop-1', 'opened')).toBe(0);
    expect(valueOf(series, 'shop-2', 'opened')).toBe(2);
    expect(series.some((s) => s.tenant === OTHER_TENANTS)).toBe(false);
  });

  it(`keeps the ${TENANT_SERIES} tenants with the most open cases by name and sums the others`, () => {
    // Tenant i has i + 1 open cases, half of them assigned: the 5 smallest are folded.
    const tenants = TENANT_SERIES + 5;
    const counts = Array.from({ length: tenants }, (_, i) => [
      { tenant: `shop-${String(i).padStart(2, '0')}`, status: 'assigned', n: Math.ceil((i + 1) / 2) },
      { tenant: `shop-${String(i).padStart(2, '0')}`, status: 'investigating', n: Math.floor((i + 1) / 2) },
    ]).flat();
    const series = openCaseSeries(counts);
    const named = new Set(series.map((s) => s.tenant));
    expect(named.size).toBe(TENANT_SERIES + 1);
    expect(named.has('shop-00')).toBe(false);
    expect(named.has(`shop-${tenants - 1}`)).toBe(true);
    // Folded: tenants 0..4 with 1..5 cases, 15 in all: 1+1+2+2+3 assigned, 0+1+1+2+2 investigating.
    expect(valueOf(series, OTHER_TENANTS, 'assigned')).toBe(9);
    expect(valueOf(series, OTHER_TENANTS, 'investigating')).toBe(6);
    expect(series.reduce((sum, s) => sum + s.value, 0)).toBe((tenants * (tenants + 1)) / 2);
  });
});
