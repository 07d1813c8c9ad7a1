import { archivedFormTitles, type ArchivedForms } from '../../domain';
import type { IncidentArchiveView } from '../read-model/incident-views';

/**
 * The printable HTML report of an incident's archive (`GET /incidents/:id/archive/report`): one self-contained page
 * (inline CSS with print rules, no script, no external resource), every value HTML-escaped, the seven forms of the
 * emergency guide in its order, a field the incident never recorded shown as such. Rendered from the archive as
 * stored, so the report shows exactly what the recorded hash covers.
 */

/** The content security policy the report is served with: nothing but its own inline styles. */
export const ARCHIVE_REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML text or attribute value: `& < > " '` escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const ABSENCE_LABELS: Record<string, string> = {
  'not-recorded': 'not recorded by the incident',
  'personal-data-sealed-by-intake': 'personal data: sealed in intake (read there, with a purpose)',
};

/** `customerRef` → `Customer ref`. */
function label(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isAbsent(value: unknown): value is { absent: string } {
  return isPlainObject(value) && Object.keys(value).length === 1 && typeof value['absent'] === 'string';
}

/** Any JSON value of the archive as HTML: objects as definition lists, lists of objects as tables. */
function render(value: unknown): string {
  if (value === null || value === undefined) return '<span class="absent">—</span>';
  if (isAbsent(value)) {
    return `<span class="absent">${escapeHtml(ABSENCE_LABELS[value.absent] ?? value.absent)}</span>`;
  }
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string' || typeof value === 'number') return escapeHtml(String(value));
  if (Array.isArray(value)) return renderList(value);
  if (isPlainObject(value)) return renderObject(value);
  return escapeHtml(String(value));
}

function renderObject(value: Record<string, unknown>): string {
  const rows = Object.entries(value).map(([key, item]) => `<dt>${escapeHtml(label(key))}</dt><dd>${render(item)}</dd>`);
  return rows.length === 0 ? '<span class="absent">—</span>' : `<dl>${rows.join('')}</dl>`;
}

function renderList(items: readonly unknown[]): string {
  if (items.length === 0) return '<span class="absent">none</span>';
  if (!items.every((item) => isPlainObject(item) && !isAbsent(item))) {
    return `<ul>${items.map((item) => `<li>${render(item)}</li>`).join('')}</ul>`;
  }
  const rows = items as ReadonlyArray<Record<string, unknown>>;
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const head = columns.map((column) => `<th scope="col">${escapeHtml(label(column))}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${columns.map((column) => `<td>${render(row[column])}</td>`).join('')}</tr>`)
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

const STYLE = `
  :root { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", sans-serif; color: #111; }
  body { margin: 2rem; line-height: 1.4; font-size: 11pt; }
  h1 { font-size: 1.5rem; margin: 0 0 .5rem; }
  h2 { font-size: 1.15rem; border-bottom: 2px solid #333; padding-bottom: .2rem; margin-top: 2rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .3rem 0; }
  dt { font-weight: 600; }
  dd { margin: 0; }
  table { border-collapse: collapse; width: 100%; margin: .3rem 0; font-size: .95em; }
  th, td { border: 1px solid #999; padding: .2rem .4rem; text-align: left; vertical-align: top; }
  th { background: #eee; }
  .absent { color: #666; font-style: italic; }
  .hash { font-family: ui-monospace, monospace; word-break: break-all; }
  .intact { font-weight: 700; }
  @page { size: A4; margin: 15mm; }
  @media print {
    body { margin: 0; font-size: 10pt; }
    section { break-inside: avoid-page; }
    h2 { break-after: avoid; }
    tr { break-inside: avoid; }
  }
`;

/**
 * The report's HTML for an archive as the read side returns it.
 *
 * @example
 * ```ts
 * res.setHeader('Content-Security-Policy', ARCHIVE_REPORT_CSP);
 * return renderArchiveReport(await queries.archive(tenant, id));
 * ```
 */
export function renderArchiveReport(view: IncidentArchiveView): string {
  const archive = view.archive;
  const forms = (isPlainObject(archive['forms']) ? archive['forms'] : {}) as Partial<
    Record<keyof ArchivedForms, unknown>
  >;
  const sections = (Object.keys(archivedFormTitles) as Array<keyof ArchivedForms>).map((name, index) => {
    const [english, guide] = archivedFormTitles[name];
    return `<section id="${escapeHtml(name)}"><h2>${index + 1}. ${escapeHtml(english)} 《${escapeHtml(guide)}》</h2>${render(forms[name] ?? { absent: 'not-recorded' })}</section>`;
  });
  const { forms: _forms, closure, ...header } = archive;
  const title = `Incident ${view.incidentId}: archive`;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>`,
    `<header><h1>${escapeHtml(title)}</h1>`,
    '<dl>',
    `<dt>Archive hash (${escapeHtml(view.algorithm)})</dt><dd class="hash">${escapeHtml(view.archiveHash)}</dd>`,
    `<dt>Archived</dt><dd>${escapeHtml(view.archivedAt)} by ${escapeHtml(view.archivedBy.id)}${view.archivedBy.role ? ` (${escapeHtml(view.archivedBy.role)})` : ''}</dd>`,
    `<dt>Audit trail</dt><dd class="intact">${view.intact ? 'intact: the archive matches the hash its audit trail recorded' : 'NOT INTACT: the archive or its audit trail was changed'}</dd>`,
    '</dl>',
    render(header),
    '</header>',
    ...sections,
    `<section id="closure"><h2>Closure</h2>${render(closure)}</section>`,
    '</body></html>',
  ].join('\n');
}
