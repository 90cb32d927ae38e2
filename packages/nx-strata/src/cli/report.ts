import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { renderHtml } from '../report/render-html';
import { renderMarkdown, renderTerminal } from '../report/render-text';
import { readHistory } from '../report/run-history';
import { summarizeHistory } from '../report/summarize-history';
import { findWorkspaceRoot, readPluginOptions } from './workspace';

export interface ReportCommand {
  cwd: string;
  /** @default the plugin option historyDir (".nx/strata-history") */
  historyDir?: string;
  /** Only the most recent runs. */
  last?: string;
  markdown?: string;
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
  command.out(renderTerminal(summary, relative(command.cwd, historyDir) || '.'));
  const write = (file: string, text: string) => {
    const path = resolve(command.cwd, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    command.out(`wrote ${relative(command.cwd, path)}`);
  };
  if (command.markdown) write(command.markdown, renderMarkdown(summary));
  if (command.html) write(command.html, renderHtml(summary, new Date().toISOString()));
  return 0;
}
