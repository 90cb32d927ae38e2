import type { ProjectConfiguration } from 'nx/src/devkit-exports';
import type { ImageFamily } from '../model/image-family';
import type { LayerTask } from '../model/layer-task';
import { gitIgnoredPaths } from '../engines/git-ignored';
import {
  binaryOutputs,
  declaredOutputs,
  isWithin,
  normalizeRoot,
  overlaps,
  unproducedSources,
  type DeclaredOutput,
} from '../model/task-links';

/** A task a layer waits for, and why: what `inspect` shows for each layer. */
export interface LayerLink {
  /** `project:target`. */
  task: string;
  reason: string;
}

/**
 * Every task each layer waits for and why: its parent layer, the binary builds and declared outputs it copies
 * (`reads dist/apps/api ← api:build outputs`), and its `uses`. Declared outputs come from Nx's project graph, read only
 * when a layer reads something outside its own project; `graph` is how to read it.
 */
export async function layerLinks(
  families: ImageFamily[],
  workspaceRoot: string,
  graph: () => Promise<Record<string, ProjectConfiguration>>,
): Promise<{
  links: Map<LayerTask, LayerLink[]>;
  warnings: Map<LayerTask, string[]>;
  producerOf: (path: string) => string | undefined;
  note?: string;
}> {
  const binaries = binaryOutputs(families, workspaceRoot);
  const sources = [...new Set(families.flatMap((family) => family.tasks.flatMap((task) => family.inputsOf(task).sources)))];
  const ignored = await gitIgnoredPaths(
    workspaceRoot,
    sources.filter((source) => source !== '.'),
  );
  const readsOutside = families.some((family) =>
    family.tasks.some((task) => family.inputsOf(task).sources.some((source) => !isWithin(source, normalizeRoot(task.projectRoot)))),
  );
  let outputs: DeclaredOutput[] = [];
  let note: string | undefined;
  if (readsOutside || ignored.size > 0) {
    try {
      outputs = declaredOutputs(await graph());
    } catch (error) {
      note = `the links to other projects' outputs are not shown: Nx's project graph could not be read (${(error as Error).message.split('\n')[0]})`;
    }
  }
  for (const [path, task] of binaries) outputs.push({ project: task.project, target: task.target, path });
  const links = new Map<LayerTask, LayerLink[]>();
  const warnings = new Map<LayerTask, string[]>();
  for (const family of families) {
    for (const task of family.tasks) {
      if (!note) warnings.set(task, unproducedSources(family.inputsOf(task).sources, ignored, outputs));
      const found = new Map<string, LayerLink>();
      const add = (link: LayerLink) => found.set(link.task, found.get(link.task) ?? link);
      if (task.parent) add({ task: `${task.project}:${task.parent.targetName}`, reason: 'parent layer' });
      for (const source of family.inputsOf(task).sources) {
        for (const output of outputs) {
          if (output.project === task.project && !binaries.has(output.path)) continue;
          if (!overlaps(source, output.path) || source === '.') continue;
          add({ task: `${output.project}:${output.target}`, reason: `reads ${source} ← ${output.project}:${output.target} outputs` });
        }
      }
      for (const use of task.uses) add({ task: `${use.project}:${use.target}`, reason: 'uses (strata.json)' });
      links.set(task, [...found.values()]);
    }
  }
  const producerOf = (path: string) => {
    const output = outputs.find((candidate) => path === candidate.path || path.startsWith(`${candidate.path}/`));
    return output ? `${output.project}:${output.target}` : undefined;
  };
  return { links, warnings, producerOf, note };
}
