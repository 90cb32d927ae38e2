export { createNodes, type StrataPluginOptions } from './plugins/plugin';
export { createDependencies } from './plugins/image-dependencies';
export { postTasksExecution } from './report/record-run';
export { preTasksExecution } from './plugins/dry-run-hook';
