import type { CreateNodesContext, CreateNodesResult } from 'nx/src/devkit-exports';

/**
 * Nx's `createNodesFromFiles`, without loading Nx's devkit exports on the way: every config file's nodes, and one
 * AggregateCreateNodesError naming each file that failed (with the results of the others). The devkit exports cost about
 * 70 ms to load in a plugin worker, on the critical path of every graph computation (a fresh CI runner's no-op
 * included), so it is loaded only when there is an error to report.
 */
export async function nodesFromFiles<Options>(
  createNodes: (
    configFile: string,
    options: Options,
    context: CreateNodesContext,
    index: number,
  ) => CreateNodesResult | Promise<CreateNodesResult>,
  configFiles: readonly string[],
  options: Options,
  context: CreateNodesContext,
): Promise<Array<[string, CreateNodesResult]>> {
  const settled = await Promise.all(
    configFiles.map(async (file, index) => {
      try {
        return { file, value: await createNodes(file, options, context, index) };
      } catch (error) {
        return { file, error };
      }
    }),
  );
  const results = settled
    .filter((entry) => 'value' in entry && entry.value)
    .map((entry) => [entry.file, entry.value] as [string, CreateNodesResult]);
  const errors = settled.filter((entry) => 'error' in entry).map((entry) => [entry.file, entry.error] as [string, Error]);
  if (errors.length === 0) return results;
  const { AggregateCreateNodesError } = await import('nx/src/devkit-exports');
  throw new AggregateCreateNodesError(errors, results);
}
