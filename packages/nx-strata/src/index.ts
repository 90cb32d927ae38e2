export { createNodes, type StrataPluginOptions } from './plugins/plugin';
export { postTasksExecution } from './report/record-run';
