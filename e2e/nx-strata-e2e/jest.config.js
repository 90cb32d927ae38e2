/**
 * Real-Docker end-to-end suites: run serially against one engine (STRATA_E2E_ENGINE, classic by default), each with
 * its own registry and workspace. Which suites run on which engine: suite-engines.js.
 */
const { suitesFor } = require('./suite-engines');

module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'nx-strata-e2e',
  rootDir: __dirname,
  roots: ['<rootDir>/src'],
  testMatch: suitesFor(process.env.STRATA_E2E_ENGINE || 'classic').map((name) => `**/src/${name}.e2e-spec.ts`),
  testTimeout: 15 * 60 * 1000,
  maxWorkers: 1,
  globalSetup: '<rootDir>/src/support/global-setup.js',
};
