import { execCommand, formatCommand, lastLines } from './exec-command';

describe('execCommand (real child processes)', () => {
  it('returns stdout, stderr and the exit code without throwing', async () => {
    const result = await execCommand(process.execPath, ['-e', 'process.stdout.write("out"); process.stderr.write("err"); process.exit(3)']);
    expect(result).toMatchObject({ exitCode: 3, stdout: 'out', stderr: 'err', command: [process.execPath, '-e', expect.any(String)] });
    expect(result.failedToStart).toBeUndefined();
  });

  it('reports a program that cannot start', async () => {
    const result = await execCommand('nx-strata-no-such-program', []);
    expect(result.exitCode).toBeUndefined();
    expect(result.failedToStart?.message).toContain('ENOENT');
  });

  it('passes arguments verbatim, with no shell in between', async () => {
    const result = await execCommand(process.execPath, [
      '-e',
      'console.log(JSON.stringify(process.argv.slice(1)))',
      '$HOME; rm -rf /',
      "it's",
    ]);
    expect(JSON.parse(result.stdout)).toEqual(['$HOME; rm -rf /', "it's"]);
  });

  it('stops the child when aborted', async () => {
    const controller = new AbortController();
    const running = execCommand(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const result = await running;
    expect(result.exitCode).not.toBe(0);
  });
});

describe('formatting', () => {
  it('quotes arguments with spaces and keeps the last non-empty lines', () => {
    expect(formatCommand(['docker', 'buildx', 'build', '--build-arg', 'A=b c'])).toBe("docker buildx build --build-arg 'A=b c'");
    expect(lastLines('a\n\nb\nc\n', 2)).toBe('b\nc');
  });
});
