import { revisionProblem } from '../config/ci-values';
import { platformScanTargetName, platformTestTargetName } from '../model/target-names';
import { describeReason } from './affected-selection';
import { affectedTasks } from './affected-tasks';
import { gitlabChildJobs } from './gitlab-child-pipeline';
import { matrixEntries, unsafeMatrixValues, type MatrixEntry, type MatrixOptions } from './matrix-entries';
import { openWorkspace } from './workspace';

export type { MatrixEntry } from './matrix-entries';

/** What `nx-strata matrix` prints: a GitHub Actions matrix (JSON) or the jobs of a GitLab child pipeline (YAML). */
const MATRIX_FORMATS = ['json', 'gitlab'] as const;
export type MatrixFormat = (typeof MATRIX_FORMATS)[number];

export interface MatrixCommand extends Pick<MatrixOptions, 'runner' | 'arm64Runner'> {
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
 * with `--format gitlab` as the jobs of a GitLab child pipeline (see gitlab-child-pipeline.ts). A pair is there when one
 * of its layer tasks is affected by its own inputs (see affected-tasks.ts), with why. Empty when nothing is affected.
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
  // git reads both, and the GitLab child pipeline carries them (publish compares the same two commits).
  const refs = [base, head].map(revisionProblem).filter(Boolean);
  if (refs.length) {
    command.out(`nx-strata matrix: ${refs.join('; ')}\n  → pass --base and --head as commit SHAs (git rev-parse) or branch names`);
    return 1;
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
  const entries = matrixEntries(
    [...affected.tasks].map(([id, reason]) => ({ id, why: describeReason(reason) })),
    pluginOptions,
    {
      runner: command.runner ?? (format === 'gitlab' ? '' : undefined),
      arm64Runner: command.arm64Runner,
      // Only targets the project has: a family without a scanner has no docker-scan--<platform>.
      verifyTargets: (project, platform) =>
        [platformTestTargetName(platform), platformScanTargetName(platform)].filter((name) =>
          affected.projectTargets(project).includes(name),
        ),
    },
  );
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
