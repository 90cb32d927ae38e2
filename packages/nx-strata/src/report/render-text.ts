import type { OutputKind } from '../config/output-path';
import type { GroupFigures, ReportSummary } from './summarize-history';

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min ${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '—';
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

const percent = (value: number) => `${Math.round(value * 100)}%`;

/** The headline figures as label/value rows, shared by the terminal and Markdown forms. */
function headline(summary: ReportSummary): Array<[string, string]> {
  const { outcomes } = summary;
  const hits = outcomes['local-cache'] + outcomes['remote-cache'] + outcomes['registry-hit'];
  return [
    [
      'hit rate',
      `${percent(summary.hitRate)} (${hits} hits: ${outcomes['local-cache']} local cache, ${outcomes['remote-cache']} remote cache, ${outcomes['registry-hit']} registry; ${outcomes.built} built; ${outcomes.failed} failed, ${outcomes.skipped} skipped)`,
    ],
    ['time spent', formatDuration(summary.timeSpentMs)],
    [
      'time saved',
      `${formatDuration(summary.timeSavedMs)} by hits, each priced at its target's last real build${summary.hitsWithoutBuildTime ? ` (${summary.hitsWithoutBuildTime} hits with no known build time not counted)` : ''}`,
    ],
  ];
}

function groupRows(groups: GroupFigures[]): string[][] {
  return groups.map((group) => [
    group.name,
    String(group.tasks),
    String(group.built),
    String(group.hits),
    percent(group.hitRate),
    formatDuration(group.timeSpentMs),
    formatDuration(group.timeSavedMs),
  ]);
}

const GROUP_HEADER = ['tasks', 'built', 'hits', 'hit rate', 'time spent', 'time saved'];

function slowestRows(summary: ReportSummary): string[][] {
  return summary.slowest.map((target) => [
    target.project,
    target.name,
    target.platform,
    formatDuration(target.lastBuildMs!),
    formatBytes(target.sizeBytes),
    target.layerCount === null ? '—' : String(target.layerCount),
  ]);
}

const SLOWEST_HEADER = ['project', 'layer / binary', 'platform', 'last build', 'size', 'layers'];

/** `tests 4 passed, 2 cached, 1 failed; scans …; lint …` and the publishes, or nothing when no check ran. */
function verificationLine(summary: ReportSummary): string | undefined {
  const { checks, published, stopped, failed } = summary.verification;
  const label = { test: 'tests', scan: 'scans', lint: 'lint', 'binary-check': 'binary checks' } as const;
  const parts = (['test', 'scan', 'lint', 'binary-check'] as const)
    .map((kind) => {
      const counts = checks[kind];
      const ran = (['passed', 'cached', 'failed', 'skipped'] as const).filter((outcome) => counts[outcome] > 0);
      return ran.length ? `${label[kind]} ${ran.map((outcome) => `${counts[outcome]} ${outcome}`).join(', ')}` : undefined;
    })
    .filter(Boolean);
  if (parts.length === 0 && published + stopped + failed === 0) return undefined;
  return `${parts.join('; ')}${parts.length ? '; ' : ''}publishes ${published} done, ${stopped} stopped by a failed check, ${failed} failed`;
}

/** `web:docker-publish stopped by web:docker-lint, web:docker-test--app--linux-amd64 (2026-11-30 12:00, nx run …)` */
function stopRows(summary: ReportSummary): string[][] {
  return summary.verification.recentStops.map((stop) => [
    `${stop.project}:${stop.target}`,
    stop.stoppedBy.join(', ') || '(a dependency that was not recorded)',
    `${stop.startedAt.slice(0, 16).replace('T', ' ')} ${stop.command}`,
  ]);
}

const STOP_HEADER = ['publish', 'stopped by', 'run'];

/**
 * A value from the history as terminal text: control characters (ESC sequences that clear the screen or write the
 * clipboard with OSC 52, BEL, C1 controls) shown as `\xNN`, never sent to the terminal.
 */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (character) => `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * A value from the history as one Markdown table cell: no HTML (`<img onerror>` stays text), no link or emphasis
 * syntax (`[x](javascript:...)` stays text), no `|` that would end the cell, no line break that would end the table.
 */
export function markdownCell(text: string): string {
  return terminalSafe(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\](){}#+!|~]/g, (character) => `\\${character}`);
}

const cells = (rows: string[][], escape: (text: string) => string) => rows.map((row) => row.map(escape));

/** The summary for a terminal: aligned columns. */
export function renderTerminal(summary: ReportSummary, source: string): string {
  if (summary.runs === 0) return `nx-strata report: no runs recorded yet in ${source}; run some docker-build or binary-build targets first`;
  const lines = [
    `nx-strata build report: ${summary.runs} run${summary.runs === 1 ? '' : 's'}, ${summary.tasks} layer and binary tasks (${terminalSafe(source)})`,
  ];
  for (const [label, value] of headline(summary)) lines.push(`  ${label.padEnd(11)} ${value}`);
  const verification = verificationLine(summary);
  if (verification) lines.push(`  ${'verified'.padEnd(11)} ${verification}`);
  if (summary.verification.recentStops.length)
    lines.push(
      '',
      'publishes stopped by a failed check (most recent first)',
      ...table(STOP_HEADER, cells(stopRows(summary), terminalSafe), 3),
    );
  lines.push('', 'slowest (last real build)', ...table(SLOWEST_HEADER, cells(slowestRows(summary), terminalSafe), 3));
  lines.push('', 'by platform', ...table(['platform', ...GROUP_HEADER], cells(groupRows(summary.byPlatform), terminalSafe)));
  if (summary.byVariant.length > 0)
    lines.push('', 'by variant', ...table(['variant', ...GROUP_HEADER], cells(groupRows(summary.byVariant), terminalSafe)));
  return lines.join('\n');
}

/** The summary as Markdown, fit for a CI job summary ($GITHUB_STEP_SUMMARY). */
/** A Markdown report `--markdown` may replace: one that starts with its heading. */
export const REPORT_MARKDOWN: OutputKind = {
  what: 'Markdown report of nx-strata',
  isOwn: (head) => head.startsWith(MARKDOWN_HEADING),
};
const MARKDOWN_HEADING = '### nx-strata build report';

export function renderMarkdown(summary: ReportSummary): string {
  if (summary.runs === 0) return `${MARKDOWN_HEADING}\n\nNo runs recorded yet.\n`;
  const markdownTable = (header: string[], rows: string[][], textColumns = 1) =>
    [
      `| ${header.join(' | ')} |`,
      `|${header.map((_, index) => (index < textColumns ? '---' : '---:')).join('|')}|`,
      ...rows.map((row) => `| ${row.join(' | ')} |`),
    ].join('\n');
  return [
    MARKDOWN_HEADING,
    '',
    `${summary.runs} run${summary.runs === 1 ? '' : 's'}, ${summary.tasks} layer and binary tasks.`,
    '',
    markdownTable(
      ['', ''],
      [...headline(summary), ...(verificationLine(summary) ? [['verified', verificationLine(summary)!] as [string, string]] : [])].map(
        ([label, value]) => [`**${label}**`, value],
      ),
      2,
    ),
    '',
    ...(summary.verification.recentStops.length
      ? ['#### Publishes stopped by a failed check', '', markdownTable(STOP_HEADER, cells(stopRows(summary), markdownCell), 3), '']
      : []),
    '#### Slowest (last real build)',
    '',
    markdownTable(SLOWEST_HEADER, cells(slowestRows(summary), markdownCell), 3),
    '',
    '#### By platform',
    '',
    markdownTable(['platform', ...GROUP_HEADER], cells(groupRows(summary.byPlatform), markdownCell)),
    ...(summary.byVariant.length > 0
      ? ['', '#### By variant', '', markdownTable(['variant', ...GROUP_HEADER], cells(groupRows(summary.byVariant), markdownCell))]
      : []),
    '',
  ].join('\n');
}

/** Text columns (the first `textColumns`) left-aligned, figures right-aligned. */
function table(header: string[], rows: string[][], textColumns = 1): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) =>
    `  ${cells.map((cell, column) => (column < textColumns ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)];
}
