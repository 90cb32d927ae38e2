export { createNodes, createNodesV2, type StrataPluginOptions } from './plugins/plugin';
