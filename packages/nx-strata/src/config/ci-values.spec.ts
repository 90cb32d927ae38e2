import { ciValueProblem, revisionProblem } from './ci-values';

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

describe('revisionProblem', () => {
  test.each(['main', 'origin/main', 'HEAD~1', 'HEAD^2', 'main@{1}', 'v1.2.0^{commit}', '0123456789abcdef0123456789abcdef01234567', 'a..b'])(
    'takes %s',
    (revision) => expect(revisionProblem(revision)).toBeUndefined(),
  );
  test.each([
    ['-x', 'starts with "-"'],
    ['--output=/tmp/x', 'starts with "-"'],
    ['main\nrun: evil', 'control character'],
    ['main$CI_JOB_TOKEN', 'GitLab would expand'],
    ['', 'empty'],
    ['x'.repeat(201), 'longer than 200'],
  ])('refuses %j', (revision, problem) => expect(revisionProblem(revision)).toContain(problem));
});
