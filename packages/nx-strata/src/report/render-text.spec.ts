import type { HistoryRun } from './history-types';
import { markdownCell, renderMarkdown, renderTerminal, terminalSafe } from './render-text';
import { summarizeHistory } from './summarize-history';

/** A history whose names were written by someone hostile: a project name is any string a strata.json gives. */
const HOSTILE = 'web<img src=x onerror=alert(1)>|[x](javascript:alert(1))\u001b[2J\u001b]52;c;cHduZWQ=\u0007';

function hostileHistory(): HistoryRun[] {
  return [
    {
      schemaVersion: 1,
      id: '1',
      startedAt: '2026-12-04T10:00:00.000Z',
      durationMs: 1000,
      command: 'nx run-many -t docker-build',
      tasks: [
        {
          kind: 'layer',
          project: HOSTILE,
          target: 'docker-build--app--linux-amd64',
          platform: 'linux/amd64',
          variant: 'default',
          layer: 'app',
          outcome: 'built',
          durationMs: 900,
          buildMs: 900,
          sizeBytes: 1000,
          layerCount: 2,
        },
      ],
    },
  ];
}

describe('report output from a hostile history', () => {
  it('the terminal never receives a control character: ESC, BEL and OSC 52 show as \\xNN', () => {
    const text = renderTerminal(summarizeHistory(hostileHistory()), '.nx/strata-history');
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(text).toContain('\\x1b[2J');
    expect(text).toContain('\\x1b]52;c;cHduZWQ=\\x07');
  });

  it('Markdown for $GITHUB_STEP_SUMMARY carries no HTML, no link, no cell break', () => {
    const markdown = renderMarkdown(summarizeHistory(hostileHistory()));
    expect(markdown).not.toContain('<img');
    expect(markdown).not.toContain('](javascript:');
    const row = markdown.split('\n').find((line) => line.includes('onerror'))!;
    // The slowest table has six columns: seven unescaped pipes, however many the name holds.
    expect(row.match(/(?<!\\)\|/g)).toHaveLength(7);
    expect(row).toContain('&lt;img src=x onerror=alert\\(1\\)&gt;\\|\\[x\\]\\(javascript:alert\\(1\\)\\)');
    // eslint-disable-next-line no-control-regex
    expect(markdown).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it('leaves ordinary names alone', () => {
    expect(terminalSafe('vision linux/amd64')).toBe('vision linux/amd64');
    expect(markdownCell('linux/arm64')).toBe('linux/arm64');
    expect(markdownCell('api-image')).toBe('api-image');
  });
});
