import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { LayerRecord } from '../../../../packages/nx-strata/src/model/layer-record';
import { REPO_ROOT } from './paths';

export interface NxRun {
  exitCode: number;
  output: string;
}

/** What a build left behind (the executor writes it only after a finished build). */
export type BuildRecord = LayerRecord;

/** What a binary build left behind. */
export interface BinaryRecord {
  name: string;
  platform: string;
  result: 'built' | 'skipped';
  builtAt: string;
  reason?: string;
}

/** A throwaway Nx workspace made from a fixture, with the packed plugin installed and its own git history. */
export class E2EWorkspace {
  private constructor(readonly root: string) {}

  static create(fixture: string, options: { nxJson?: object } = {}): E2EWorkspace {
    const root = mkdtempSync(join(tmpdir(), 'nx-strata-e2e-ws-'));
    cpSync(fixture, root, { recursive: true, filter: (source) => !/[/\\](node_modules|dist|\.nx)$/.test(source) });
    if (options.nxJson) writeFileSync(join(root, 'nx.json'), JSON.stringify(options.nxJson, null, 2));
    installPackedPlugin(root);
    const workspace = new E2EWorkspace(root);
    workspace.git('init', '-q', '-b', 'main');
    workspace.configureGit();
    workspace.commitAll('fixture');
    return workspace;
  }

  /**
   * A workspace as a user has it before nx-strata (package.json with nx, an empty nx.json, git), with the packed
   * plugin installed the way a user installs it: `npm install --save-dev <tgz>` (no --legacy-peer-deps), with the Nx
   * version given (from the npm registry).
   */
  static forUser(
    files: (root: string) => void,
    options: { nx?: string; vendorPlugin?: boolean; packageManager?: 'pnpm@9.15.0' | 'yarn@4.5.3'; legacyPeerDeps?: boolean } = {},
  ): E2EWorkspace {
    const root = mkdtempSync(join(tmpdir(), 'nx-strata-e2e-user-'));
    if (options.packageManager) return E2EWorkspace.forUserWithCorepack(root, files, options.packageManager);
    writeFileSync(
      join(root, 'package.json'),
      JSON.stringify({ name: 'team-repo', private: true, devDependencies: { nx: options.nx ?? '24.0.6' } }, null, 2),
    );
    writeFileSync(join(root, 'nx.json'), '{}\n');
    writeFileSync(join(root, '.gitignore'), 'node_modules\n.nx\n');
    files(root);
    // A vendored tarball is recorded in the lock file by a path inside the workspace, so every copy of it (a CI job's
    // checkout) can `npm ci`.
    const plugin = options.vendorPlugin ? `./vendor/${basename(tarball())}` : tarball();
    if (options.vendorPlugin) {
      mkdirSync(join(root, 'vendor'), { recursive: true });
      copyFileSync(tarball(), join(root, plugin));
    }
    // --legacy-peer-deps only for an Nx outside the plugin's peer range, as a pnpm user gets it (pnpm only warns).
    const peers = options.legacyPeerDeps ? ['--legacy-peer-deps'] : [];
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...peers, '--save-dev', plugin], {
      cwd: root,
      env: { ...process.env, ...NX_ENV },
      stdio: 'pipe',
    });
    const workspace = new E2EWorkspace(root);
    workspace.git('init', '-q', '-b', 'main');
    workspace.configureGit();
    return workspace;
  }

  /**
   * A pnpm or Yarn 2+ workspace as a team has it: `packageManager` in package.json, the plugin vendored (so every CI
   * checkout installs it with the frozen lock file), installed through corepack (Yarn with the node-modules linker).
   */
  private static forUserWithCorepack(root: string, files: (root: string) => void, packageManager: string): E2EWorkspace {
    const plugin = `vendor/${basename(tarball())}`;
    mkdirSync(join(root, 'vendor'), { recursive: true });
    copyFileSync(tarball(), join(root, plugin));
    writeFileSync(
      join(root, 'package.json'),
      JSON.stringify(
        { name: 'team-repo', private: true, packageManager, devDependencies: { nx: '24.0.6', 'nx-strata': `file:./${plugin}` } },
        null,
        2,
      ),
    );
    if (packageManager.startsWith('yarn@'))
      writeFileSync(
        join(root, '.yarnrc.yml'),
        'nodeLinker: node-modules\nnpmRegistryServer: "https://registry.npmjs.org"\nenableTelemetry: false\n',
      );
    writeFileSync(join(root, 'nx.json'), '{}\n');
    writeFileSync(join(root, '.gitignore'), 'node_modules\n.nx\n');
    files(root);
    // The first install writes the lock file: not frozen, whatever CI=true makes the default.
    const name = packageManager.split('@')[0];
    execFileSync('corepack', [name, 'install', ...(name === 'pnpm' ? ['--no-frozen-lockfile'] : [])], {
      cwd: root,
      env: { ...process.env, ...NX_ENV, ...COREPACK_ENV, YARN_ENABLE_IMMUTABLE_INSTALLS: 'false' },
      stdio: 'pipe',
    });
    const workspace = new E2EWorkspace(root);
    workspace.git('init', '-q', '-b', 'main');
    workspace.configureGit();
    return workspace;
  }

  /**
   * A committer for the tests' commits, no signing, and no automatic `git gc`: after a commit of many files git packs
   * its objects in the background, and a layer whose context sends .git/ would change its key while a test runs.
   */
  private configureGit(): void {
    this.git('config', 'user.name', 'nx-strata e2e');
    this.git('config', 'user.email', 'e2e@nx-strata.invalid');
    this.git('config', 'commit.gpgsign', 'false');
    this.git('config', 'gc.auto', '0');
  }

  /** `git status --porcelain`, trimmed: '' when the working tree is clean. */
  gitStatus(): string {
    return this.git('status', '--porcelain').trim();
  }

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.root, encoding: 'utf8' });
  }

  commitAll(message: string): void {
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
  }

  write(path: string, content: string): void {
    mkdirSync(dirname(join(this.root, path)), { recursive: true });
    writeFileSync(join(this.root, path), content);
  }

  private readModule(path: string): string {
    return readFileSync(join(this.root, 'node_modules', path), 'utf8');
  }

  read(path: string): string {
    return readFileSync(join(this.root, path), 'utf8');
  }

  append(path: string, content: string): void {
    this.write(path, this.read(path) + content);
  }

  /** Runs the workspace's own nx (no daemon, no cloud, static output) and waits for it. */
  nx(args: string[], env: NodeJS.ProcessEnv = {}, options: { timeoutMs?: number } = {}): NxRun {
    const [command, argv, spawnOptions] = this.nxInvocation(args, env);
    const result = spawnSync(command, argv, {
      ...spawnOptions,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      timeout: options.timeoutMs,
    });
    if (result.error && (result.error as NodeJS.ErrnoException).code === 'ETIMEDOUT')
      throw new Error(`nx ${args.join(' ')} did not finish within ${options.timeoutMs} ms`);
    return { exitCode: result.status ?? -1, output: `${result.stdout}\n${result.stderr}` };
  }

  /** Like `nx`, without blocking the event loop: for tests whose own servers must keep answering while nx runs. */
  nxAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<NxRun> {
    const [command, argv, spawnOptions] = this.nxInvocation(args, env);
    return new Promise((resolve) => {
      const child = spawn(command, argv, spawnOptions);
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      child.on('close', (code) => resolve({ exitCode: code ?? -1, output }));
    });
  }

  /**
   * Starts nx in a process group of its own, as a shell starts a job: `process.kill(-child.pid, 'SIGINT')` is then what
   * Ctrl-C in a terminal sends. `done` resolves when it exits.
   */
  nxJob(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<NxRun> } {
    const [command, argv, spawnOptions] = this.nxInvocation(args, env);
    const child = spawn(command, argv, { ...spawnOptions, detached: true });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const done = new Promise<NxRun>((resolve) =>
      child.on('close', (code, signal) => resolve({ exitCode: code ?? -1, output: `${output}${signal ? `\n(ended by ${signal})` : ''}` })),
    );
    return { child, done };
  }

  private nxInvocation(args: string[], env: NodeJS.ProcessEnv): [string, string[], { cwd: string; env: NodeJS.ProcessEnv }] {
    const nxBin = (JSON.parse(this.readModule('nx/package.json')) as { bin: { nx: string } }).bin.nx;
    return [
      process.execPath,
      // Generators and nx release take their own options only; every other command gets plain output.
      [
        join(this.root, 'node_modules/nx', nxBin),
        ...args,
        ...(['g', 'generate', 'release'].includes(args[0]) ? [] : ['--outputStyle=static']),
      ],
      { cwd: this.root, env: { ...process.env, ...NX_ENV, ...env } },
    ];
  }

  /** `nx run-many -t docker-build`, which must succeed; returns the layers it really built. */
  buildAll(env: NodeJS.ProcessEnv): string[] {
    const started = Date.now();
    expectSuccess(this.nx(['run-many', '-t', 'docker-build'], env));
    return this.builtSince(started);
  }

  /** Runs strata's CLI from the installed package. */
  cli(args: string[], env: NodeJS.ProcessEnv = {}, options: { timeoutMs?: number } = {}): NxRun {
    const result = spawnSync(process.execPath, [join(this.root, 'node_modules/nx-strata/bin/nx-strata.js'), ...args], {
      cwd: this.root,
      encoding: 'utf8',
      env: { ...process.env, ...NX_ENV, ...env },
      maxBuffer: 256 * 1024 * 1024,
      timeout: options.timeoutMs,
    });
    if (result.error && (result.error as NodeJS.ErrnoException).code === 'ETIMEDOUT')
      throw new Error(`nx-strata ${args.join(' ')} did not finish within ${options.timeoutMs} ms`);
    return { exitCode: result.status ?? -1, output: `${result.stdout}\n${result.stderr}` };
  }

  records(): BuildRecord[] {
    const dir = join(this.root, 'dist/strata');
    if (!existsSync(dir)) return [];
    return (
      (readdirSync(dir, { recursive: true }) as string[])
        // Layer records are `<os>-<arch>.json`; beside them `.tested.json`, `.scanned.json` (verification results) and publish.json.
        .filter((path) => /(^|\/)[^/.]+\.json$/.test(path) && !path.endsWith('publish.json'))
        .map((path) => JSON.parse(readFileSync(join(dir, path), 'utf8')) as BuildRecord)
    );
  }

  /** Every binary build record under `<projectRoot>/dist/bin/.records`. */
  binaryRecords(projectRoot = '.'): BinaryRecord[] {
    const dir = join(this.root, projectRoot, 'dist/bin/.records');
    if (!existsSync(dir)) return [];
    return readdirSync(dir).map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as BinaryRecord);
  }

  /** The platforms of the binaries really built (not restored, not skipped) since `since`, sorted. */
  binariesBuiltSince(since: number, projectRoot = '.'): string[] {
    return this.binaryRecords(projectRoot)
      .filter((record) => record.result === 'built' && Date.parse(record.builtAt) >= since)
      .map((record) => record.platform)
      .sort();
  }

  /** The record of one layer task (`projectRoot`: the directory of its strata.json). */
  record(variant: string, layer: string, platformSlug: string, projectRoot = '.'): BuildRecord | undefined {
    const path = join(this.root, 'dist/strata', projectRoot, variant, layer, `${platformSlug}.json`);
    return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as BuildRecord) : undefined;
  }

  /** `variant/layer/platform` of every layer really built since `since` (cache restores keep the old builtAt). */
  builtSince(since: number): string[] {
    return this.recordedSince(since, 'built');
  }

  /** `variant/layer/platform` of every layer found in the registry (nothing built) since `since`. */
  registryHitsSince(since: number): string[] {
    return this.recordedSince(since, 'registry-hit');
  }

  private recordedSince(since: number, result: BuildRecord['result']): string[] {
    return this.records()
      .filter((record) => Date.parse(record.builtAt) >= since && record.result === result)
      .map((record) => `${record.variant}/${record.layer}/${record.platform}`)
      .sort();
  }

  /** A fresh clone of this workspace's git history (no dist/, no Nx cache), with the packed plugin installed. */
  clone(): E2EWorkspace {
    const root = mkdtempSync(join(tmpdir(), 'nx-strata-e2e-clone-'));
    execFileSync('git', ['clone', '-q', this.root, root]);
    installPackedPlugin(root);
    const clone = new E2EWorkspace(root);
    clone.configureGit();
    return clone;
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Nx as tests run it: no daemon, no cloud, no TUI, plain output. */
// Runs stand for the main branch's jobs (trusted: they write and read the trusted namespace); the trust suite sets
// STRATA_TRUST=untrusted for pull-request runs.
/**
 * Corepack on this machine: package managers come from the npm registry (Yarn's own host cannot be reached), whose
 * metadata here carries no signatures to verify; no prompt, and package.json is never pinned behind a test's back.
 */
export const COREPACK_ENV = {
  COREPACK_NPM_REGISTRY: 'https://registry.npmjs.org',
  COREPACK_INTEGRITY_KEYS: '0',
  COREPACK_ENABLE_DOWNLOAD_PROMPT: '0',
  COREPACK_ENABLE_AUTO_PIN: '0',
  YARN_ENABLE_GLOBAL_CACHE: 'false',
};

const NX_ENV = {
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  NX_SKIP_LOG_GROUPING: 'true',
  // Full task output whatever the machine says about itself (an agent or CI default collapses successful tasks):
  // commands that take no --outputStyle (nx release publish, generators) read this.
  NX_DEFAULT_OUTPUT_STYLE: 'static',
  FORCE_COLOR: '0',
  STRATA_TRUST: 'trusted',
};

/** The plugin packed by the e2e global setup. */
function tarball(): string {
  const packed = process.env.STRATA_E2E_TARBALL;
  if (!packed) throw new Error('STRATA_E2E_TARBALL is not set: run e2e through its jest config (global setup packs the plugin)');
  return packed;
}

function installPackedPlugin(root: string): void {
  execFileSync(process.execPath, [join(REPO_ROOT, 'tools/scripts/install-plugin.mjs'), root, '--tarball', tarball()], { stdio: 'pipe' });
}

/** Fails with the run's own output (its last 4,000 characters) when it did not succeed. */
export function expectSuccess(run: NxRun): void {
  if (run.exitCode === 0) return;
  // The build logs of parallel tasks bury the reason: nx-strata's own error lines (and what follows each) come first.
  const lines = run.output.split('\n');
  const errors = lines.flatMap((line, index) =>
    /nx-strata: .*(fail|error|could not|cannot|not )/i.test(line) ? lines.slice(index, index + 6) : [],
  );
  throw new Error(
    `expected exit code 0, got ${run.exitCode}; nx-strata said:\n${errors.join('\n').slice(0, 4000) || '(nothing)'}\n\noutput ends with:\n${run.output.slice(-4000)}`,
  );
}

/** Runs a command in an image and returns its stdout. */
export function runInImage(ref: string, platform: string, command: string[], entrypoint?: string): string {
  const args = ['run', '--rm', '--platform', platform, ...(entrypoint !== undefined ? ['--entrypoint', entrypoint] : []), ref, ...command];
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}
