import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ExecutorContext } from 'nx/src/devkit-exports';
import { StrataInputError } from '../../config/strata-error';
import { checkOutputPath } from '../../config/output-path';
import { readWorkspaceTextFile } from '../../config/workspace-paths';
import { readDockerfileFacts, type DockerfileFacts } from '../../lint/dockerfile-facts';
import { ruleOf } from '../../lint/lint-rules';
import { lintUnit, type Finding } from '../../lint/lint-unit';
import { SARIF_OUTPUT, toSarif } from '../../lint/sarif';
import { writeJsonAtomically } from '../../utils/write-json-atomically';
import { isDryRun } from '../dry-run';
import { failed, type ExecutorResult } from '../executor-result';
import { NX_TASK_LOG, type TaskLog } from '../task-log';
import type { DockerLintExecutorOptions } from './schema';

/**
 * Lints each distinct Dockerfile + build args of the image family once, prints `file:line:column severity rule message`
 * with the fix, and writes SARIF 2.1.0 (always, so code scanning sees a clean run too). Fails on an `error` finding.
 */
export default async function dockerLintExecutor(
  options: DockerLintExecutorOptions,
  context: ExecutorContext,
  log: TaskLog = NX_TASK_LOG,
): Promise<ExecutorResult> {
  const output = checkOutputPath(context.root, context.root, options.sarif, SARIF_OUTPUT);
  if (!output.ok) return failed(`docker-lint of ${options.image}: --sarif ${output.problem}.\n  → ${output.hint}`, log);
  const sarif = output.absolute;
  const facts = new Map<string, DockerfileFacts>();
  const factsOf = (file: string) => {
    if (!facts.has(file)) facts.set(file, readDockerfileFacts(readWorkspaceTextFile(context.root, file, { file, what: 'Dockerfile' })));
    return facts.get(file)!;
  };
  let findings: Finding[];
  try {
    findings = mergeFindings(options.units.flatMap((unit) => lintUnit(unit, factsOf)));
  } catch (error) {
    if (error instanceof StrataInputError) return failed(error.message, log);
    throw error;
  }
  // A dry run lints (it reads Dockerfiles only) and writes nothing.
  if (!isDryRun({})) writeJsonAtomically(sarif, toSarif(findings, toolVersion()));
  for (const finding of findings) {
    const line = `${finding.file}:${finding.at.line}:${finding.at.column}  ${finding.severity}  ${finding.rule}  ${finding.message} (layer ${finding.layers.join(', ')})\n    → ${ruleOf(finding.rule).fix}`;
    if (finding.severity === 'error') log.error(line);
    else log.warn(line);
  }
  const errors = findings.filter((finding) => finding.severity === 'error').length;
  const warnings = findings.length - errors;
  const summary = `docker-lint of ${options.image}: ${facts.size} Dockerfile${facts.size === 1 ? '' : 's'}, ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}; SARIF in ${relative(context.root, sarif)}`;
  if (errors)
    return failed(`${summary}.\n  → fix the errors above, or set their rules to "warning" or "off" in strata.json "lint.rules"`, log);
  log.info(`nx-strata: ${summary}`);
  return { success: true };
}

/** One finding per file, position, rule and message, with every layer it concerns. */
function mergeFindings(findings: Finding[]): Finding[] {
  const merged = new Map<string, Finding>();
  for (const finding of findings) {
    const key = `${finding.file}:${finding.at.line}:${finding.at.column}:${finding.rule}:${finding.message}`;
    const known = merged.get(key);
    if (known) known.layers = [...new Set([...known.layers, ...finding.layers])];
    else merged.set(key, { ...finding, layers: [...finding.layers] });
  }
  return [...merged.values()].sort((a, b) => a.file.localeCompare(b.file) || a.at.line - b.at.line || a.rule.localeCompare(b.rule));
}

/** The plugin's own version, for SARIF's tool.driver.version (package.json sits three folders above this file, built or not). */
function toolVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
