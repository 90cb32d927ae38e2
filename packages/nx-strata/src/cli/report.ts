import { join, relative, resolve } from 'node:path';
import { checkOutputPath } from '../config/output-path';
import { REPORT_HTML, renderHtml } from '../report/render-html';
import { REPORT_MARKDOWN, renderMarkdown, renderTerminal } from '../report/render-text';
import { writeTextAtomically } from '../utils/write-json-atomically';
import { readHistory } from '../report/run-history';
import { summarizeHistory } from '../report/summarize-history';
import { findWorkspaceRoot, readPluginOptions } from './workspace';

export interface ReportCommand {
  cwd: string;
  /** @default the plugin option historyDir (".nx/strata-history") */
  historyDir?: string;
  /** Only the most recent runs. */
  last?: string;
  /** Workspace file to write the Markdown report to, or `-` for stdout. */
  markdown?: string;
  /** Workspace file to write the HTML page to, or `-` for stdout. */
  html?: string;
  out: (text: string) => void;
}

/** `nx-strata report`: the build history as a terminal summary, and optionally Markdown and a self-contained HTML page. */
export async function report(command: ReportCommand): Promise<number> {
  const workspaceRoot = findWorkspaceRoot(command.cwd);
  const historyDir = command.historyDir
    ? resolve(command.cwd, command.historyDir)
    : join(workspaceRoot, readPluginOptions(workspaceRoot).historyDir);
  const lastRuns = command.last === undefined ? undefined : Number(command.last);
  if (lastRuns !== undefined && !(Number.isInteger(lastRuns) && lastRuns > 0)) {
    command.out(`nx-strata report: --last ${command.last} is not a positive whole number of runs`);
    return 2;
  }
  const summary = summarizeHistory(readHistory(historyDir), { lastRuns });
  // With a page on stdout, the terminal summary would end up in it.
  if (command.markdown !== '-' && command.html !== '-') command.out(renderTerminal(summary, relative(command.cwd, historyDir) || '.'));
  // `-` prints the page instead (`--markdown - >> "$GITHUB_STEP_SUMMARY"`): files are written inside the workspace only.
  const targets = [
    { flag: 'markdown', file: command.markdown, kind: REPORT_MARKDOWN, render: () => renderMarkdown(summary) },
    { flag: 'html', file: command.html, kind: REPORT_HTML, render: () => renderHtml(summary, new Date().toISOString()) },
  ].filter((target) => target.file);
  // Every path is checked before anything is written: a refused one leaves the others unwritten too.
  const outputs: Array<{ render: () => string; path: string }> = [];
  for (const target of targets) {
    if (target.file === '-') {
      outputs.push({ render: target.render, path: '-' });
      continue;
    }
    const check = checkOutputPath(workspaceRoot, command.cwd, target.file!, target.kind);
    if (!check.ok) {
      command.out(`nx-strata report: --${target.flag} ${check.problem}.\n  → ${check.hint}`);
      return 2;
    }
    outputs.push({ render: target.render, path: check.absolute });
  }
  const printed: string[] = [];
  for (const { render, path } of outputs) {
    if (path === '-') {
      printed.push(render());
      continue;
    }
    writeTextAtomically(path, render());
    command.out(`wrote ${relative(command.cwd, path)}`);
  }
  printed.forEach((text) => command.out(text));
  return 0;
}
