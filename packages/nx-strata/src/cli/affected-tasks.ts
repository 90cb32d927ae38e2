import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execCommand, lastLines } from '../engines/exec-command';

/**
 * The tasks of these targets Nx selects as affected between base and head, running nothing. Nx 23 and 24 select tasks
 * (`nx affected --explain=<file>`: only the layers whose inputs changed); Nx 22, or a workspace that keeps
 * `affected.legacy`, selects projects, and then every task of these targets in the affected task graph
 * (`--graph=<file>`) is taken: more layers, each a cache or registry hit when unchanged.
 */
export async function affectedTasks(
  workspaceRoot: string,
  targets: string[],
  base: string,
  head: string,
): Promise<{ tasks: string[] } | { failure: string }> {
  let nx: { bin: string; major: number };
  try {
    const packageJson = require.resolve('nx/package.json', { paths: [workspaceRoot] });
    const manifest = JSON.parse(readFileSync(packageJson, 'utf8')) as { bin: { nx: string }; version: string };
    nx = { bin: join(dirname(packageJson), manifest.bin.nx), major: Number.parseInt(manifest.version, 10) };
  } catch {
    return { failure: `nx is not installed in ${workspaceRoot}: run npm install (or your package manager's) first` };
  }
  const directory = mkdtempSync(join(tmpdir(), 'nx-strata-affected-'));
  const output = join(directory, 'affected.json');
  const run = (flag: string, env: Record<string, string> = {}) =>
    execCommand(process.execPath, [nx.bin, 'affected', '-t', targets.join(','), `--base=${base}`, `--head=${head}`, `${flag}=${output}`], {
      cwd: workspaceRoot,
      env: { ...process.env, NX_TUI: 'false', ...env },
      timeoutMs: 10 * 60_000,
    });
  try {
    if (nx.major >= 23) {
      // Nx 23 selects tasks only when asked to (NX_LEGACY_AFFECTED=false); Nx 24 does unless nx.json keeps the legacy mode.
      const explained = await run('--explain', { NX_LEGACY_AFFECTED: 'false' });
      if (explained.exitCode === 0 && existsSync(output)) {
        const reasons = JSON.parse(readFileSync(output, 'utf8')) as { affected?: Record<string, unknown> };
        return { tasks: Object.keys(reasons.affected ?? {}) };
      }
    }
    const graphed = await run('--graph');
    if (graphed.exitCode !== 0 || !existsSync(output)) {
      return {
        failure: `\`nx affected --base=${base} --head=${head}\` failed (exit ${graphed.exitCode ?? graphed.failedToStart?.message}): ${lastLines(`${graphed.stdout}\n${graphed.stderr}`, 8)}`,
      };
    }
    const graph = JSON.parse(readFileSync(output, 'utf8')) as { tasks?: { tasks?: Record<string, { target?: { target?: string } }> } };
    const wanted = new Set(targets);
    return {
      tasks: Object.entries(graph.tasks?.tasks ?? {})
        .filter(([, task]) => wanted.has(task.target?.target ?? ''))
        .map(([id]) => id),
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
