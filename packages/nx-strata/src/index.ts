// Nx 21 reads createNodesV2; Nx 22 to 24 read createNodes: the same function, in the form both call.
export { createNodes, createNodes as createNodesV2, type StrataPluginOptions } from './plugins/plugin';
export { createDependencies } from './plugins/image-dependencies';
export { postTasksExecution } from './report/record-run';
export { preTasksExecution } from './plugins/dry-run-hook';
