import { parseTargetName, platformTargetName, type TargetNaming } from '../model/target-names';
import { ciValueProblem, type CiValueKind } from '../config/ci-values';

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
   * The platform's verification targets that the project has, comma-separated for `nx run-many -t`:
   * `docker-test--<os>-<arch>` and `docker-scan--<os>-<arch>`; empty when it has neither. The job verifies what it just built.
   */
  verify: string;
  /** The project's first entry: its job also runs docker-lint and uploads the SARIF log (once per project). */
  lint: boolean;
  /** Why the pair was selected: the first changed input, and the task it came through (`libs/a.ts (through api:build)`). */
  why: string;
}

/** An affected layer task (`project:target`) and why it is affected. */
export interface AffectedLayer {
  id: string;
  why: string;
}

export interface MatrixOptions {
  /** Runner for linux/amd64 (and any platform without its own); '' for none (a GitLab job without tags). @default "ubuntu-latest" */
  runner?: string;
  /** Native runner for linux/arm64 (e.g. "ubuntu-24.04-arm"); without it arm64 runs under QEMU on `runner`. */
  arm64Runner?: string;
  /** The platform verification targets a project has (docker-test--<os>-<arch>, docker-scan--<os>-<arch>). @default none */
  verifyTargets?: (project: string, platform: string) => string[];
}

/**
 * The matrix for the affected layer tasks (see affected-tasks.ts): one entry per (project, platform), under the
 * project's real Nx name, with why it was selected (the reason of its first affected layer). Pure.
 */
export function matrixEntries(affected: AffectedLayer[], naming: TargetNaming, options: MatrixOptions = {}): MatrixEntry[] {
  const entries = new Map<string, MatrixEntry>();
  for (const { id, why } of [...affected].sort((a, b) => a.id.localeCompare(b.id))) {
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
      verify: (options.verifyTargets?.(project, parsed.platform) ?? []).join(','),
      lint: false,
      why,
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
      ...entry.verify
        .split(',')
        .filter(Boolean)
        .map((target): [CiValueKind, string] => ['target name', target]),
    ];
    for (const [kind, value] of checks) {
      const problem = ciValueProblem(kind, value);
      if (problem) problems.add(`${problem}${kind === 'project name' ? '' : ` (project ${JSON.stringify(entry.project)})`}`);
    }
  }
  return [...problems];
}
