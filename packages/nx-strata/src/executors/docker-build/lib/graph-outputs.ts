import type { ProjectGraph } from 'nx/src/devkit-exports';
import { declaredOutputs, type DeclaredOutput } from '../../../model/task-links';

const outputsByGraph = new WeakMap<ProjectGraph, DeclaredOutput[]>();

/** The outputs the graph's projects declare, worked out once per graph: every task of a batch shares one graph. */
export function graphOutputs(graph: ProjectGraph | undefined): DeclaredOutput[] {
  if (!graph) return [];
  let outputs = outputsByGraph.get(graph);
  if (!outputs) {
    outputs = declaredOutputs(Object.fromEntries(Object.entries(graph.nodes).map(([name, node]) => [name, node.data])));
    outputsByGraph.set(graph, outputs);
  }
  return outputs;
}
