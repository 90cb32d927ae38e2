import type { TargetConfiguration } from 'nx/src/devkit-exports';
import type { LayerInputs } from '../dockerfile/layer-inputs';
import { globsUnder } from './output-globs';
import { DRY_RUN_INPUT } from '../config/dry-run';

/** One entry of a target's `inputs` (a file pattern, a fileset object, an env or runtime input...). */
export type NxInput = NonNullable<TargetConfiguration['inputs']>[number];

/**
 * Nx inputs for a layer and its ancestors (Nx carries no change through `dependsOn`, so a child lists what its
 * ancestors read too). Context files are declared with `includeIgnored: true`: docker sends gitignored files,
 * so Nx must hash them from disk. Directories fully read become `dir/**\/*` globs (they catch added and
 * deleted files); partly read directories are listed file by file, since an Nx `!` exclusion cannot be
 * re-included the way a .dockerignore `!` rule can.
 */
export function layerNxInputs(
  configFile: string,
  chain: LayerInputs[],
  extra: NxInput[] = [],
  outputs: { outputSources: ReadonlySet<string>; recordsDir: string; uses?: Array<{ project: string; target: string }> } = {
    outputSources: new Set(),
    recordsDir: '',
  },
): NxInput[] {
  return unionInputs([
    [`{workspaceRoot}/${configFile}`],
    chain.flatMap((layer) => [
      `{workspaceRoot}/${layer.dockerfile}`,
      ...(layer.dockerignore ? [`{workspaceRoot}/${layer.dockerignore}`] : []),
    ]),
    chain.flatMap((layer) => [
      ...layer.cover.directories.map((directory) => ({ fileset: directoryGlob(directory), includeIgnored: true })),
      ...layer.cover.files.map((file) => ({ fileset: `{workspaceRoot}/${file}`, includeIgnored: true })),
    ]),
    chain.flatMap((layer) => buildOutputInputs(layer, outputs.outputSources, outputs.recordsDir)),
    usedTaskInputs(outputs.uses ?? [], outputs.recordsDir),
    extra,
    [{ env: 'STRATA_REGISTRY' }, DRY_RUN_INPUT],
  ]);
}

/**
 * A source that is a build output (gitignored, or not there yet on a clean checkout) is read from the COPY path
 * itself, not from a walk of the disk: a fileset glob, hashed from disk when the task is hashed, and a
 * `dependentTasksOutputFiles` glob, which makes Nx hash the layer only after the tasks it depends on (`api:build`)
 * have written it, and lets `nx affected` follow a change through those tasks. Neither ever matches the records
 * directory: a parent layer's record carries times.
 */
function buildOutputInputs(layer: LayerInputs, outputSources: ReadonlySet<string>, recordsDir: string): NxInput[] {
  return layer.sources
    .filter((source) => outputSources.has(source))
    .flatMap((source) =>
      globsUnder(source, recordsDir).flatMap((glob) => [
        { fileset: `{workspaceRoot}/${glob}`, includeIgnored: true },
        { dependentTasksOutputFiles: glob, transitive: true },
      ]),
    );
}

/**
 * A layer that `uses` another project's task: that project's own inputs, and every output of the tasks it waits for
 * (Nx cannot scope the latter to one task; never the records directory).
 */
function usedTaskInputs(uses: Array<{ project: string; target: string }>, recordsDir: string): NxInput[] {
  if (uses.length === 0) return [];
  return [
    ...uses.map((use) => ({ input: 'default', projects: [use.project] })),
    ...globsUnder('.', recordsDir).map((glob) => ({ dependentTasksOutputFiles: glob, transitive: false })),
  ];
}

/** Union of several targets' inputs, order kept, duplicates dropped. */
export function unionInputs(lists: Array<NxInput[]>): NxInput[] {
  const seen = new Set<string>();
  const union: NxInput[] = [];
  for (const input of lists.flat()) {
    const id = typeof input === 'string' ? input : JSON.stringify(input);
    if (!seen.has(id)) {
      seen.add(id);
      union.push(input);
    }
  }
  return union;
}

function directoryGlob(directory: string): string {
  return directory === '.' ? '{workspaceRoot}/**/*' : `{workspaceRoot}/${directory}/**/*`;
}
