import { archivedFormTitles } from '../../domain';
import type { IncidentArchiveView } from '../read-model/incident-views';
import { escapeHtml, renderArchiveReport } from './incident-archive.report';

const hostile = `<script>alert("x")</script><img src=x onerror=alert(1)>&'`;

/** An archive as the read side returns it, with markup where text is expected. */
function aView(overrides: Partial<IncidentArchiveView> = {}): IncidentArchiveView {
  return {
    incidentId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
    format: 'aftersales.incident-archive/1',
    algorithm: 'sha-256',
    archiveHash: 'ab'.repeat(32),
    archivedAt: '2026-11-25T10:10:00.000Z',
    archivedBy: { id: 'mgr-1', role: 'cs-manager' },
    eventId: '2a7c9e1f-5b3d-4f6a-9c8e-7d1b2a3c4e5f',
    intact: true,
    archive: {
      format: 'aftersales.incident-archive/1',
      incidentId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
      category: 'product-quality',
      product: { absent: 'not-recorded' },
      forms: {
        gradingForm: { category: 'product-quality', basis: hostile, levelChanges: [] },
        customerProblemForm: {
          problem: { summary: hostile, symptom: { absent: 'not-recorded' } },
          customers: [
            {
              customerRef: 'CUS-1',
              name: { absent: 'personal-data-sealed-by-intake' },
              contactedAt: ['2026-11-25T08:10:00.000Z'],
            },
          ],
        },
        causeAnalysisReport: { absent: 'not-recorded' },
      },
      closure: { by: { id: 'mgr-1', role: 'cs-manager' }, reason: hostile },
    },
    ...overrides,
  };
}

describe('the printable archive report (GET /incidents/:id/archive/report)', () => {
  it('escapes every value: markup in recorded text is shown as text, never run', () => {
    const html = renderArchiveReport(aView());
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain(escapeHtml(hostile));
    expect(escapeHtml(hostile)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&amp;&#39;',
    );
  });

  it('is self-contained and printable: inline styles with print rules, no script, no external resource', () => {
    const html = renderArchiveReport(aView());
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('@media print');
    expect(html).toContain('@page');
    expect(html).not.toMatch(/<(script|link|iframe|object|embed)\b/i);
    // Every `<` of recorded text is escaped: any tag left is the report's own, and none loads anything.
    expect(html).not.toMatch(/<[a-z][^>]*\s(src|href)\s*=/i);
    expect(html).not.toMatch(/url\(/i);
  });

  it('shows the seven forms in the guide’s order, a form or field never recorded as such, the hash and its state', () => {
    const html = renderArchiveReport(aView());
    const positions = Object.values(archivedFormTitles).map(([english, guide]) =>
      html.indexOf(`${english} 《${guide}》`),
    );
    expect(positions.every((position) => position > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(html).toContain('not recorded by the incident');
    expect(html).toContain('personal data: sealed in intake');
    expect(html).toContain('ab'.repeat(32));
    expect(html).toContain('intact: the archive matches the hash its audit trail recorded');
    expect(renderArchiveReport(aView({ intact: false }))).toContain('NOT INTACT');
  });
});
