import { platformTargetName } from '../model/target-names';
import type { LayerTask } from '../model/layer-task';
import { execCommand } from '../engines/exec-command';
import type { ImageFamily } from '../model/image-family';
import { openWorkspace } from './workspace';

/** One CI job: every affected layer of one project for one platform. */
export interface MatrixEntry {
  project: string;
  platform: string;
  /** The per-platform target that builds them: `nx run <project>:<target>`. */
  target: string;
  /** Runner label: the native arm64 one when given, else the default (with QEMU for foreign platforms). */
  runner: string;
  qemu: boolean;
  /** The affected layer targets, for the job's log. */
  layers: string[];
}

export interface MatrixRunners {
  /** Runner for linux/amd64 (and any platform without its own). @default "ubuntu-latest" */
  runner?: string;
  /** Native runner for linux/arm64 (e.g. "ubuntu-24.04-arm"); without it arm64 runs under QEMU on `runner`. */
  arm64Runner?: string;
}

/** Files whose change affects every layer (Nx hashes nx.json into every task). */
const GLOBAL_FILES = new Set(['nx.json']);

/**
 * The (project, platform) pairs a change affects: a layer is affected when a changed file is one it reads (a context
 * file, under a context directory it reads, its Dockerfile or .dockerignore, its strata.json), or its parent is.
 */
export function affectedMatrix(
  families: ImageFamily[],
  changedFiles: string[],
  buildTargetName: string,
  options: MatrixRunners = {},
): MatrixEntry[] {
  const changed = new Set(changedFiles);
  const everything = changedFiles.some((file) => GLOBAL_FILES.has(file));
  const affected = new Map<string, boolean>();
  const isAffected = (family: ImageFamily, task: LayerTask): boolean => {
    const known = affected.get(`${task.project}:${task.targetName}`);
    if (known !== undefined) return known;
    const inputs = family.inputsOf(task);
    const reads = (file: string) =>
      file === family.configFile ||
      file === inputs.dockerfile ||
      file === inputs.dockerignore ||
      inputs.files.includes(file) ||
      inputs.cover.directories.some((directory) => file.startsWith(`${directory}/`));
    const parent = family.parentOf(task);
    const result = everything || [...changed].some(reads) || (parent !== undefined && isAffected(family, parent));
    affected.set(`${task.project}:${task.targetName}`, result);
    return result;
  };
  const entries = new Map<string, MatrixEntry>();
  for (const family of families) {
    for (const task of family.tasks.filter((candidate) => isAffected(family, candidate))) {
      const key = `${task.project} ${task.platform}`;
      const native = task.platform === 'linux/arm64' && options.arm64Runner;
      const entry = entries.get(key) ?? {
        project: task.project,
        platform: task.platform,
        target: platformTargetName({ buildTargetName }, task.platform),
        runner: native ? options.arm64Runner! : (options.runner ?? 'ubuntu-latest'),
        qemu: !native && task.platform !== 'linux/amd64',
        layers: [],
      };
      entry.layers.push(task.targetName);
      entries.set(key, entry);
    }
  }
  return [...entries.values()].sort((a, b) => a.project.localeCompare(b.project) || a.platform.localeCompare(b.platform));
}

export interface MatrixCommand extends MatrixRunners {
  cwd: string;
  /** @default the nx.json defaultBase, else "main" */
  base?: string;
  /** @default "HEAD" */
  head?: string;
  out: (text: string) => void;
}

/** `nx-strata matrix`: prints `{"include":[...]}` for a GitHub Actions matrix (empty when nothing is affected). */
export async function matrix(command: MatrixCommand): Promise<number> {
  const { workspaceRoot, nxJson, pluginOptions, configFiles, family } = openWorkspace(command.cwd);
  const base = command.base ?? nxJson.defaultBase ?? 'main';
  const head = command.head ?? 'HEAD';
  const diff = await execCommand('git', ['diff', '--name-only', `${base}...${head}`], { cwd: workspaceRoot });
  if (diff.exitCode !== 0) {
    command.out(
      `nx-strata matrix: \`git diff --name-only ${base}...${head}\` failed (exit ${diff.exitCode ?? diff.failedToStart?.message}): ${diff.stderr.trim()}\n  → fetch the base branch (actions/checkout with fetch-depth: 0) or pass --base <ref>`,
    );
    return 1;
  }
  const changed = diff.stdout.split('\n').filter(Boolean);
  const families = configFiles.map(family);
  command.out(JSON.stringify({ include: affectedMatrix(families, changed, pluginOptions.buildTargetName, command) }));
  return 0;
}
