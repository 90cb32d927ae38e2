module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'nx-strata',
  rootDir: __dirname,
  roots: ['<rootDir>/src'],
};
