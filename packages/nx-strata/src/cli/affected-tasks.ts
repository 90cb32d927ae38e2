import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execCommand, lastLines } from '../engines/exec-command';
import { affectedTasksOf, type AffectedReason, type NxGraphFile } from './affected-selection';

/**
 * The tasks of these targets (and the tasks they depend on) that the changes between base and head reach, with why,
 * and the targets each project has, running nothing: Nx's task graph and hash plans
 * (`nx run-many -t <targets> --graph=<file>`) and the changed files (`git diff` from the merge base, as `nx affected`
 * compares). The same selection on every Nx the plugin supports: a
 * task is affected by the files its plan reads, never by which project owns a changed file (see affected-selection.ts).
 */
export async function affectedTasks(
  workspaceRoot: string,
  targets: string[],
  base: string,
  head: string,
): Promise<{ tasks: Map<string, AffectedReason>; projectTargets: (project: string) => string[] } | { failure: string }> {
  const changed = await changedFiles(workspaceRoot, base, head);
  if ('failure' in changed) return changed;
  const graph = await taskGraph(workspaceRoot, targets);
  if ('failure' in graph) return graph;
  const nodes = graph.graph.graph?.nodes ?? {};
  return {
    tasks: affectedTasksOf(graph.graph, changed.files),
    projectTargets: (project) => Object.keys(nodes[project]?.data?.targets ?? {}),
  };
}

/** The files that differ between the merge base of base and head, and head (renames as a deletion and an addition). */
export async function changedFiles(workspaceRoot: string, base: string, head: string): Promise<{ files: string[] } | { failure: string }> {
  const git = (args: string[]) => execCommand('git', args, { cwd: workspaceRoot, timeoutMs: 60_000 });
  const mergeBase = await git(['merge-base', '--end-of-options', base, head]);
  if (mergeBase.exitCode !== 0)
    return {
      failure: `git found no common commit of ${base} and ${head} (${lastLines(mergeBase.stderr || mergeBase.failedToStart?.message || 'no merge base', 2)})`,
    };
  // Relative to the workspace, which may lie below the repository's root.
  const diff = await git(['diff', '--name-only', '--no-renames', '-z', '--relative', mergeBase.stdout.trim(), head, '--']);
  if (diff.exitCode !== 0) return { failure: `git diff ${base}...${head} failed: ${lastLines(diff.stderr, 4)}` };
  return { files: diff.stdout.split('\0').filter(Boolean) };
}

/** Nx's task graph of these targets in every project, with each task's hash plan. */
async function taskGraph(workspaceRoot: string, targets: string[]): Promise<{ graph: NxGraphFile } | { failure: string }> {
  let nxBin: string;
  try {
    const packageJson = require.resolve('nx/package.json', { paths: [workspaceRoot] });
    const manifest = JSON.parse(readFileSync(packageJson, 'utf8')) as { bin: { nx: string } };
    nxBin = join(dirname(packageJson), manifest.bin.nx);
  } catch {
    return { failure: `nx is not installed in ${workspaceRoot}: run npm install (or your package manager's) first` };
  }
  const directory = mkdtempSync(join(tmpdir(), 'nx-strata-affected-'));
  const output = join(directory, 'graph.json');
  try {
    const run = await execCommand(process.execPath, [nxBin, 'run-many', '-t', targets.join(','), `--graph=${output}`], {
      cwd: workspaceRoot,
      env: { ...process.env, NX_TUI: 'false' },
      timeoutMs: 10 * 60_000,
    });
    if (run.exitCode !== 0 || !existsSync(output))
      return {
        failure: `\`nx run-many -t <layer targets> --graph\` failed (exit ${run.exitCode ?? run.failedToStart?.message}): ${lastLines(`${run.stdout}\n${run.stderr}`, 8)}`,
      };
    return { graph: JSON.parse(readFileSync(output, 'utf8')) as NxGraphFile };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
