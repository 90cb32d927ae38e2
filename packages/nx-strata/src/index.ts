export { createNodes, createNodesV2, type StrataPluginOptions } from './plugins/plugin';
export { postTasksExecution } from './report/record-run';
