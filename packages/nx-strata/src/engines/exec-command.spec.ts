import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execCommand, formatCommand, lastLines, startDetached } from './exec-command';

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

  it('startDetached: returns at once, the program runs on outside our process tree, arguments verbatim', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'nx-strata-detached-'));
    try {
      const out = join(directory, 'out.json');
      const script =
        'setTimeout(() => require("fs").writeFileSync(process.argv[1], JSON.stringify({ args: process.argv.slice(2), ppid: process.ppid })), 500)';
      const started = Date.now();
      startDetached(process.execPath, ['-e', script, out, '$(touch pwned); `x`', "it's"]);
      expect(Date.now() - started).toBeLessThan(450);
      expect(existsSync(out)).toBe(false);
      for (let waited = 0; !existsSync(out) && waited < 10_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
      const written = JSON.parse(readFileSync(out, 'utf8')) as { args: string[]; ppid: number };
      expect(written.args).toEqual(['$(touch pwned); `x`', "it's"]);
      // Re-parented away from us (to init or a subreaper): a kill of our process tree does not reach it.
      expect(written.ppid).not.toBe(process.pid);
      expect(existsSync('pwned')).toBe(false);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('stops the child when aborted', async () => {
    const controller = new AbortController();
    const running = execCommand(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const result = await running;
    expect(result.exitCode).not.toBe(0);
  });
});

describe('execCommand with killGroup (a child that starts its own child, as docker starts buildx)', () => {
  // Running, not a zombie waiting for whoever adopted it to reap it.
  const alive = (pid: number) => {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  // The parent prints its child's pid and waits on it; the grandchild sleeps with the output pipe held open.
  const parentScript =
    'const c = require("child_process").spawn("sleep", ["60"], { stdio: "inherit" }); console.log(c.pid); setInterval(() => {}, 1000);';

  it('ends the whole group at the deadline, so a grandchild holding the pipes cannot keep it waiting', async () => {
    const started = Date.now();
    const result = await execCommand(process.execPath, ['-e', parentScript], { timeoutMs: 1500, killGroup: true });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.timedOut).toBe(true);
    const grandchild = Number(result.stdout.trim());
    expect(grandchild).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(alive(grandchild)).toBe(false);
  });
});

describe('formatting', () => {
  it('quotes arguments with spaces and keeps the last non-empty lines', () => {
    expect(formatCommand(['docker', 'buildx', 'build', '--build-arg', 'A=b c'])).toBe("docker buildx build --build-arg 'A=b c'");
    expect(lastLines('a\n\nb\nc\n', 2)).toBe('b\nc');
  });
});
