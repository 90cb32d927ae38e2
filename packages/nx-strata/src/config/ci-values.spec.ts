import { ciValueProblem } from './ci-values';

describe('ciValueProblem', () => {
  test.each(['vision', 'api-image', '@acme/web', 'linux/arm64', 'ubuntu-24.04-arm', 'release/1.x', 'docker-build--linux-amd64', 'my_app'])(
    'takes %s',
    (value) => expect(ciValueProblem('project name', value)).toBeUndefined(),
  );

  test.each([
    'web$(touch${IFS}/tmp/x)',
    'web`id`',
    "web'; rm -rf ~; '",
    'web"',
    'a b',
    'web\nrun: evil',
    'web#comment',
    'key: value',
    '-rf',
    '--help',
    '${{ secrets.TOKEN }}',
    '*',
    '&anchor',
    '../../etc',
    '',
  ])('refuses %j', (value) => {
    expect(ciValueProblem('project name', value)).toContain('has characters a shell or YAML would read as code');
  });
});
