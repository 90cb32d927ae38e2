import type { TargetConfiguration } from 'nx/src/devkit-exports';
import type { BinaryTask } from '../model/binary-task';
import { presetInputGlobs } from '../binaries/presets';
import type { BinaryBuildExecutorOptions } from '../executors/binary-build/schema';
import { BINARY_BUILD, BINARY_CHECK, BINARY_CHECKSUMS, binaryChecksumsTargetName } from '../model/target-names';
import { posix } from 'node:path';
import { computeLayerInputs } from '../dockerfile/layer-inputs';
import { readDockerfileModel } from '../dockerfile/read-dockerfile';
import { layerNxInputs, unionInputs, type NxInput } from './nx-inputs';
import { DRY_RUN_INPUT } from '../config/dry-run';

/** The host as an Nx runtime input: a skipped build is then never restored on another kind of host as a success. */
const HOST_INPUT: NxInput = { runtime: 'node -p "process.platform + \'/\' + process.arch"' };

/**
 * A pyinstaller binary is built by `docker buildx build` from its Dockerfile and context: its inputs are what that build
 * reads (the Dockerfile's COPY sources after .dockerignore, as for a layer), not every file of the context.
 */
function dockerBuiltInputs(task: BinaryTask, workspace: { root: string; excluded: string[] }): NxInput[] {
  const dockerfile = posix.join(task.projectRoot, task.config.source!);
  const inputs = computeLayerInputs(
    {
      dockerfile,
      context: posix.join(task.projectRoot, task.config.context ?? '.'),
      args: { BINARY_NAME: task.name },
      ...(task.config.target ? { target: task.config.target } : {}),
      platform: task.platform,
      parentArg: 'BASE_IMAGE',
    },
    readDockerfileModel(workspace.root, dockerfile),
    { workspaceRoot: workspace.root, excluded: workspace.excluded },
  );
  // The strata.json is already the target's first input, and STRATA_REGISTRY means nothing to a binary.
  return layerNxInputs(task.configFile, [inputs]).filter(
    (input) => input !== `{workspaceRoot}/${task.configFile}` && !(typeof input === 'object' && 'env' in input),
  );
}

/**
 * Per (binary, platform): `binary-build--<name>--<os>-<arch>` (cached; its output is the binary itself, so Nx's cache,
 * local or remote, restores the binary) and `binary-check--...`; per binary `binary-checksums--<name>`; and the
 * aggregates `binary-build`, `binary-check`, `binary-checksums`.
 */
export function buildBinaryTargets(
  tasks: BinaryTask[],
  workspace?: { root: string; excluded: string[] },
): Record<string, TargetConfiguration> {
  const targets: Record<string, TargetConfiguration> = {};
  const buildInputs = new Map<string, NxInput[]>();
  for (const task of tasks) {
    const root = task.projectRoot === '.' ? '{workspaceRoot}' : `{workspaceRoot}/${task.projectRoot}`;
    const globs =
      task.config.preset === 'pyinstaller' && workspace
        ? dockerBuiltInputs(task, workspace)
        : presetInputGlobs(task).map((glob) => (glob.startsWith('!') ? `!${root}/${glob.slice(1)}` : `${root}/${glob}`));
    const skipping = task.config.onUnbuildable === 'skip';
    const inputs: NxInput[] = [`{workspaceRoot}/${task.configFile}`, ...globs, ...(skipping ? [HOST_INPUT] : []), DRY_RUN_INPUT];
    buildInputs.set(task.buildTarget, inputs);
    const options: BinaryBuildExecutorOptions = {
      configFile: task.configFile,
      projectRoot: task.projectRoot,
      name: task.name,
      platform: task.platform,
      binary: task.config,
      output: task.output,
      record: task.record,
    };
    targets[task.buildTarget] = {
      executor: 'nx-strata:binary-build',
      cache: true,
      inputs,
      outputs: [`{workspaceRoot}/${task.output}`, `{workspaceRoot}/${task.record}`],
      options,
      metadata: {
        description: `Builds ${task.name} for ${task.platform} with the ${task.config.preset} preset into ${task.output}.`,
        technologies: [task.config.preset === 'pyinstaller' ? 'docker' : task.config.preset],
        help: { command: 'npx nx-strata inspect', example: { options: { dryRun: true } } },
      },
    };
    targets[task.checkTarget] = {
      executor: 'nx-strata:binary-check',
      cache: true,
      inputs: [
        `{workspaceRoot}/${task.configFile}`,
        { dependentTasksOutputFiles: '**/*' },
        ...(skipping ? [HOST_INPUT] : []),
        DRY_RUN_INPUT,
      ],
      dependsOn: [task.buildTarget],
      options: { name: task.name, platform: task.platform, output: task.output, record: task.record, check: task.config.check ?? {} },
      metadata: {
        description: `Checks ${task.output}: ${task.os === 'darwin' ? 'Mach-O' : task.os === 'windows' ? 'PE' : 'ELF'} for ${task.arch}, size budget, and a smoke run with a start-up budget where it can run here.`,
        technologies: [task.config.preset],
        help: { command: 'npx nx-strata inspect', example: {} },
      },
    };
  }
  for (const name of [...new Set(tasks.map((task) => task.name))]) {
    const mine = tasks.filter((task) => task.name === name);
    targets[binaryChecksumsTargetName(name)] = {
      executor: 'nx-strata:binary-checksums',
      cache: true,
      inputs: [{ dependentTasksOutputFiles: '**/*' }, DRY_RUN_INPUT],
      dependsOn: mine.map((task) => task.buildTarget),
      outputs: [`{workspaceRoot}/${mine[0].projectRoot === '.' ? '' : `${mine[0].projectRoot}/`}dist/bin/${name}.SHA256SUMS`],
      options: {
        name,
        files: mine.map((task) => task.output),
        output: `${mine[0].projectRoot === '.' ? '' : `${mine[0].projectRoot}/`}dist/bin/${name}.SHA256SUMS`,
      },
      metadata: {
        description: `Writes SHA256SUMS over every platform binary of ${name}.`,
        technologies: [mine[0].config.preset],
        help: { command: 'sha256sum --help', example: {} },
      },
    };
  }
  // An aggregate takes its members' positive patterns only: one member's exclusion (linux's `!**/*_darwin.go`)
  // must not hide a file from the aggregate that another member (darwin) reads, or `nx affected` selects nothing.
  const aggregate = (description: string, dependsOn: string[], inputs: NxInput[][]): TargetConfiguration => ({
    executor: 'nx:noop',
    cache: false,
    inputs: unionInputs(inputs).filter((input) => !(typeof input === 'string' && input.startsWith('!'))),
    dependsOn,
    metadata: { description, technologies: ['nx-strata'], help: { command: 'npx nx-strata inspect', example: {} } },
  });
  const allInputs = tasks.map((task) => buildInputs.get(task.buildTarget)!);
  targets[BINARY_BUILD] = aggregate(
    'Builds every binary for every platform.',
    tasks.map((task) => task.buildTarget),
    allInputs,
  );
  targets[BINARY_CHECK] = aggregate(
    'Checks every binary for every platform.',
    tasks.map((task) => task.checkTarget),
    allInputs,
  );
  targets[BINARY_CHECKSUMS] = aggregate(
    'Writes SHA256SUMS for every binary.',
    [...new Set(tasks.map((task) => binaryChecksumsTargetName(task.name)))],
    allInputs,
  );
  return targets;
}
