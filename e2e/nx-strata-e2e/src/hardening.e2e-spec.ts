import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { E2EWorkspace, expectSuccess } from './support/e2e-workspace';
import { FIXTURES } from './support/paths';

/**
 * Hardening (issue 10) through real Nx and the installed CLI: a `COPY . .` layer whose context holds Nx's own files,
 * a FIFO and a symlink to /dev/zero; the CLI's output through a pipe; strata.json paths leaving the workspace.
 */
describe('hardening: whole-context layers, special files, piped output, paths outside', () => {
  let workspace: E2EWorkspace;
  const TARGET = 'whole:docker-build--app--linux-amd64';
  const keyOf = (output: string) => /dry run for layer "app" \(linux\/amd64\), key ([0-9a-f]{16})/.exec(output)?.[1];

  beforeAll(() => {
    workspace = E2EWorkspace.create(join(FIXTURES, 'whole-context'));
    // Enough context files that `inspect --json` prints more than 1 MB.
    const generated = join(workspace.root, 'src/generated');
    mkdirSync(generated, { recursive: true });
    for (let index = 0; index < 16000; index++)
      writeFileSync(
        join(generated, `module-with-a-rather-long-descriptive-name-${String(index).padStart(5, '0')}.py`),
        `value = ${index}\n`,
      );
    workspace.commitAll('generated modules');
    // What git cannot hold and a hostile or careless user can leave in a context: a FIFO and a link to a device.
    execFileSync('mkfifo', [join(workspace.root, 'src/app/pipe')]);
    symlinkSync('/dev/zero', join(workspace.root, 'src/app/zero'));
  });
  afterAll(() => workspace?.remove());

  test('Nx hashes the layer without hanging and without its own files: a dry run is never cached, the second build is', () => {
    const dry = workspace.nx(['run', TARGET, '--dryRun'], {}, { timeoutMs: 120_000 });
    expectSuccess(dry);
    const key = keyOf(dry.output);
    expect(key).toBeDefined();
    // A dry run reads and writes no Nx cache: a second one plans again, to the same key.
    const dryAgain = workspace.nx(['run', TARGET, '--dryRun'], {}, { timeoutMs: 120_000 });
    expectSuccess(dryAgain);
    expect(dryAgain.output).not.toMatch(/local cache|existing outputs match the cache/);
    expect(keyOf(dryAgain.output)).toBe(key);
    // The build log says once that .nx/ is sent, with the line to add.
    expect(dryAgain.output.match(/sends \.nx\/ into the image/g)).toHaveLength(1);
    expect(dryAgain.output).toContain('Add ".nx" to .dockerignore');
    // .nx/workspace-data changes on every run; it is no input, so Nx finds the real build in its cache.
    const build = workspace.nx(['run', TARGET], {}, { timeoutMs: 300_000 });
    expectSuccess(build);
    expect(build.output).toContain(`strata-${key}`);
    const again = workspace.nx(['run', TARGET], {}, { timeoutMs: 120_000 });
    expectSuccess(again);
    expect(again.output).toMatch(/local cache|existing outputs match the cache/);
  });

  test('inspect names the FIFO and the link as inputs without opening them', () => {
    const run = workspace.cli(['inspect', '--json'], {}, { timeoutMs: 120_000 });
    expectSuccess(run);
    const [layer] = JSON.parse(run.output) as Array<{ inputs: string[]; warnings: string[] }>;
    expect(layer.inputs).toEqual(expect.arrayContaining(['src/app/pipe', 'src/app/zero', 'src/app/main.py']));
    expect(layer.inputs.some((file) => file.startsWith('.nx/'))).toBe(false);
    expect(layer.warnings).toEqual(
      expect.arrayContaining([expect.stringContaining('sends .git/ into the image'), expect.stringContaining('sends .nx/ into the image')]),
    );
  });

  test('output over 1 MB reaches a pipe whole, as JSON and as text', () => {
    const bin = join(workspace.root, 'node_modules/nx-strata/bin/nx-strata.js');
    const scratch = mkdtempSync(join(tmpdir(), 'nx-strata-e2e-pipe-'));
    for (const args of [['inspect', '--json'], ['inspect']]) {
      // Outside the workspace: a file written into the context would be an input of the second run.
      const direct = join(scratch, 'direct.out');
      const piped = join(scratch, 'piped.out');
      const command = `"${process.execPath}" "${bin}" ${args.join(' ')}`;
      expect(
        spawnSync('sh', ['-c', `${command} > "${direct}" && ${command} | cat > "${piped}"`], { cwd: workspace.root, timeout: 120_000 })
          .status,
      ).toBe(0);
      expect(statSync(direct).size).toBeGreaterThan(1024 * 1024);
      expect(statSync(piped).size).toBe(statSync(direct).size);
      if (args.includes('--json')) expect(() => JSON.parse(readFileSync(piped, 'utf8'))).not.toThrow();
    }
    rmSync(scratch, { recursive: true, force: true });
  });

  test('a Dockerfile outside the workspace fails graph creation with the key and its position, printing nothing of the file', () => {
    const original = workspace.read('strata.json');
    workspace.write('strata.json', original.replace('"dockerfile": "Dockerfile"', '"dockerfile": "../../../../../../../../etc/passwd"'));
    const run = workspace.nx(['show', 'project', 'whole', '--json']);
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toMatch(
      /strata\.json:\d+:\d+: layer "app" \(linux\/amd64\): Dockerfile ".*etc\/passwd" is outside the workspace \(layers\.app\.dockerfile\)/,
    );
    expect(run.output).not.toContain('root:x:0:0');
    workspace.write('strata.json', original);
  });

  test('a registry that accepts connections and never answers fails the build in bounded time, naming registry, operation and limit', async () => {
    const sockets: Socket[] = [];
    const frozen = createServer((socket) => void sockets.push(socket)); // accepts, reads, never answers
    await new Promise<void>((resolve) => frozen.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(frozen.address() as AddressInfo).port}`;
    try {
      const started = Date.now();
      // Asynchronous: the frozen server lives in this process and must keep accepting while nx runs.
      const run = await workspace.nxAsync(['run', TARGET, '--dryRun', '--skip-nx-cache'], {
        STRATA_REGISTRY: `${host}/acme`,
        STRATA_REGISTRY_RESPONSE_TIMEOUT: '2',
      });
      expect(run.exitCode).not.toBe(0);
      expect(Date.now() - started).toBeLessThan(60_000);
      expect(run.output).toContain(
        `the registry ${host}/acme stopped answering (${host} sent no answer within 2 s (GET /v2/acme/acme/whole/app/manifests/strata-`,
      );
      expect(run.output).toContain('limit STRATA_REGISTRY_RESPONSE_TIMEOUT=2');
    } finally {
      sockets.forEach((socket) => socket.destroy());
      frozen.close();
    }
  });
});
