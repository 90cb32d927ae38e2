import {
  parseTargetName,
  platformScanTargetName,
  platformTargetName,
  platformTestTargetName,
  type TargetNaming,
} from '../model/target-names';
import { ciValueProblem, revisionProblem, type CiValueKind } from '../config/ci-values';
import { affectedTasks } from './affected-tasks';
import { gitlabChildJobs } from './gitlab-child-pipeline';
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
  /**
   * The platform's verification targets, comma-separated for `nx run-many -t`: `docker-test--<os>-<arch>` and
   * `docker-scan--<os>-<arch>` (a project without scans simply has no such target). The job verifies what it just built.
   */
  verify: string;
  /** The project's first entry: its job also runs docker-lint and uploads the SARIF log (once per project). */
  lint: boolean;
}

export interface MatrixRunners {
  /** Runner for linux/amd64 (and any platform without its own); '' for none (a GitLab job without tags). @default "ubuntu-latest" */
  runner?: string;
  /** Native runner for linux/arm64 (e.g. "ubuntu-24.04-arm"); without it arm64 runs under QEMU on `runner`. */
  arm64Runner?: string;
}

/**
 * The matrix for the layer tasks Nx selects as affected (`nx affected --explain`): one entry per (project, platform),
 * under the project's real Nx name. A layer is there when a file it reads changed, or a task whose outputs it reads
 * (`api:build` after a change to `libs/util`), as Nx itself decides.
 */
export function matrixEntries(affectedTaskIds: string[], naming: TargetNaming, options: MatrixRunners = {}): MatrixEntry[] {
  const entries = new Map<string, MatrixEntry>();
  for (const id of [...affectedTaskIds].sort()) {
    const colon = id.lastIndexOf(':');
    const project = id.slice(0, colon);
    const target = id.slice(colon + 1);
    const parsed = parseTargetName(naming, target);
    if (parsed?.kind !== 'layer') continue;
    const key = `${project} ${parsed.platform}`;
    const native = parsed.platform === 'linux/arm64' && options.arm64Runner;
    const entry = entries.get(key) ?? {
      project,
      platform: parsed.platform,
      target: platformTargetName(naming, parsed.platform),
      runner: native ? options.arm64Runner! : (options.runner ?? 'ubuntu-latest'),
      qemu: !native && parsed.platform !== 'linux/amd64',
      layers: [],
      verify: `${platformTestTargetName(parsed.platform)},${platformScanTargetName(parsed.platform)}`,
      lint: false,
    };
    entry.layers.push(target);
    entries.set(key, entry);
  }
  const sorted = [...entries.values()].sort((a, b) => a.project.localeCompare(b.project) || a.platform.localeCompare(b.platform));
  sorted.forEach((entry, index) => (entry.lint = index === 0 || sorted[index - 1].project !== entry.project));
  return sorted;
}

/**
 * What keeps `entries` from reaching a pipeline as data: a project name, platform, runner label or target a shell or
 * YAML would read as code (see ciValueProblem), each with the project it belongs to. Pure.
 */
export function unsafeMatrixValues(entries: MatrixEntry[]): string[] {
  const problems = new Set<string>();
  for (const entry of entries) {
    const checks: Array<[CiValueKind, string]> = [
      ['project name', entry.project],
      ['platform', entry.platform],
      ...(entry.runner ? [['runner label', entry.runner] as [CiValueKind, string]] : []),
      ['target name', entry.target],
      ...entry.verify.split(',').map((target): [CiValueKind, string] => ['target name', target]),
    ];
    for (const [kind, value] of checks) {
      const problem = ciValueProblem(kind, value);
      if (problem) problems.add(`${problem}${kind === 'project name' ? '' : ` (project ${JSON.stringify(entry.project)})`}`);
    }
  }
  return [...problems];
}

/** What `nx-strata matrix` prints: a GitHub Actions matrix (JSON) or the jobs of a GitLab child pipeline (YAML). */
const MATRIX_FORMATS = ['json', 'gitlab'] as const;
export type MatrixFormat = (typeof MATRIX_FORMATS)[number];

export interface MatrixCommand extends MatrixRunners {
  cwd: string;
  /** @default "json" */
  format?: string;
  /** @default the nx.json defaultBase, else "main" */
  base?: string;
  /** @default "HEAD" */
  head?: string;
  out: (text: string) => void;
}

/**
 * `nx-strata matrix`: the affected (project, platform) pairs, as `{"include":[...]}` for a GitHub Actions matrix, or
 * with `--format gitlab` as the jobs of a GitLab child pipeline (see gitlab-child-pipeline.ts). Empty when nothing is
 * affected.
 */
export async function matrix(command: MatrixCommand): Promise<number> {
  const format = (command.format ?? 'json') as MatrixFormat;
  if (!MATRIX_FORMATS.includes(format)) {
    command.out(`nx-strata matrix: --format ${JSON.stringify(format.slice(0, 40))} is not one of ${MATRIX_FORMATS.join(', ')}`);
    return 2;
  }
  const { workspaceRoot, nxJson, pluginOptions, configFiles, family } = openWorkspace(command.cwd);
  const base = command.base ?? nxJson.defaultBase ?? 'main';
  const head = command.head ?? 'HEAD';
  if (format === 'gitlab') {
    // The pair goes into the child pipeline, and publish compares the same two commits.
    const refs = [base, head].map(revisionProblem).filter(Boolean);
    if (refs.length) {
      command.out(`nx-strata matrix: ${refs.join('; ')}\n  → pass --base and --head as commit SHAs (git rev-parse) or branch names`);
      return 1;
    }
  }
  const print = (entries: MatrixEntry[]) =>
    command.out(format === 'gitlab' ? gitlabChildJobs(entries, { base, head }) : JSON.stringify({ include: entries }));
  const layerTargets = [...new Set(configFiles.flatMap((configFile) => family(configFile).tasks.map((task) => task.targetName)))].sort();
  if (layerTargets.length === 0) {
    print([]);
    return 0;
  }
  const affected = await affectedTasks(workspaceRoot, layerTargets, base, head);
  if ('failure' in affected) {
    command.out(
      `nx-strata matrix: ${affected.failure}\n  → fetch the base branch (actions/checkout with fetch-depth: 0) or pass --base <ref>`,
    );
    return 1;
  }
  const entries = matrixEntries(affected.tasks, pluginOptions, {
    runner: command.runner ?? (format === 'gitlab' ? '' : undefined),
    arm64Runner: command.arm64Runner,
  });
  const unsafe = unsafeMatrixValues(entries);
  if (unsafe.length) {
    command.out(
      `nx-strata matrix: refusing to print a matrix a pipeline would run as code:\n${unsafe.map((problem) => `  - ${problem}`).join('\n')}\n  → rename the project ("project" in its strata.json, or the name in its project.json / package.json), or pass a plain runner label`,
    );
    return 1;
  }
  print(entries);
  return 0;
}
