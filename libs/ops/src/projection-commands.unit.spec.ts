import type { ProjectionDefinition } from '@aftersales/eventstore';
import { runOps, type OpsIo } from './run-ops';

const caseWorklist: ProjectionDefinition = {
  name: 'case-worklist',
  description: 'cases',
  tables: ['case_worklist'],
  handle: () => Promise.resolve(),
  rebuild: { eventTypes: ['CaseOpened'], foldStream: () => ({}) },
};
const timeline: ProjectionDefinition = {
  name: 'case-timeline',
  description: 'what happened to a case',
  tables: ['case_timeline'],
  handle: () => Promise.resolve(),
};
const projections = { intake: [caseWorklist, timeline] };

async function run(argv: string[], env: NodeJS.ProcessEnv = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/x' }) {
  const out: string[] = [];
  const err: string[] = [];
  const io: OpsIo = { out: (line) => out.push(line), err: (line) => err.push(line) };
  const code = await runOps(argv, { io, env, projections });
  return { code, out, err: err.join('\n') };
}

// CONTEXT: the command line is checked before any database is opened (the URL above answers nothing): a wrong service
// or projection exits 2 with what could have been named.
describe('npm run ops -- projection (command line)', () => {
  it('lists every projection with how it rebuilds', async () => {
    const { code, out } = await run(['projection', 'list']);
    expect(code).toBe(0);
    expect(out).toEqual([
      'service\tprojection\trebuild\ttables\twhat',
      'intake\tcase-worklist\tset-based\tcase_worklist\tcases',
      'intake\tcase-timeline\treplay\tcase_timeline\twhat happened to a case',
      '2 projection(s)',
    ]);
  });

  it.each([
    [
      ['projection', 'rebuild', 'billing', 'case-worklist'],
      /^unknown service billing: one of intake, returns, logistics/,
    ],
    [['projection', 'rebuild'], /^projection rebuild needs a service \(intake, returns/],
    [
      ['projection', 'rebuild', 'intake', 'case-list'],
      /^unknown projection case-list of intake: one of case-worklist, case-timeline/,
    ],
    [['projection', 'rebuild', 'intake'], /^name a projection of intake: one of case-worklist, case-timeline/],
    [
      ['projection', 'rebuild', 'returns', 'x'],
      /^returns keeps no projection to rebuild; the projections are: intake case-worklist, intake case-timeline/,
    ],
    [['projection', 'rebuild', 'intake', 'case-worklist', '--batch', '5'], /^unknown option --batch/],
    [['projection', 'list', 'billing'], /^unknown service billing/],
    [['projection', 'drop', 'intake'], /^unknown projection command: drop/],
  ])('exits 2 for %j, saying what it takes', async (argv, message) => {
    const { code, err } = await run(argv);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).toContain('npm run ops -- projection rebuild <service> <projection> [--database <name>]');
  });

  it('exits 2 without DATABASE_URL', async () => {
    const { code, err } = await run(['projection', 'rebuild', 'intake', 'case-worklist'], {});
    expect(code).toBe(2);
    expect(err).toMatch(/^set DATABASE_URL to the Postgres server/);
  });
});
