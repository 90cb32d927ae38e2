import { requestedTargets } from './requested-targets';

describe('requestedTargets', () => {
  it.each([
    [['run', 'web:docker-publish', '--outputStyle=static'], ['docker-publish']],
    [['run', 'web:docker-publish:production'], ['docker-publish']],
    [
      ['run-many', '-t', 'docker-test,docker-publish', '-p', 'web'],
      ['docker-test', 'docker-publish'],
    ],
    [['affected', '--targets=docker-publish', '--base=HEAD~1'], ['docker-publish']],
    [['affected', '-t=docker-lint'], ['docker-lint']],
    [['run-many', '--target', 'docker-build'], ['docker-build']],
    [['docker-publish', 'web'], ['docker-publish']],
    [['run-many', '-p', 'web'], []],
  ])('reads nx %j', (args, expected) => {
    expect(requestedTargets(['node', '/ws/node_modules/.bin/nx', ...args])).toEqual(expected);
  });
});
