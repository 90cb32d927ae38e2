/** Real-Docker end-to-end suites: run serially against one engine, each with its own registry and workspace. */
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'nx-strata-e2e',
  rootDir: __dirname,
  roots: ['<rootDir>/src'],
  testMatch: ['**/*.e2e-spec.ts'],
  testTimeout: 15 * 60 * 1000,
  maxWorkers: 1,
  globalSetup: '<rootDir>/src/support/global-setup.js',
};
