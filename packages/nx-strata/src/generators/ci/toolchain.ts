/**
 * The repository's own toolchain, as its files say: the Node version (`.nvmrc`, `.node-version`, package.json `volta`
 * or `engines`) and the package manager (package.json `packageManager`, else the lock file), and how a CI job sets
 * them up: install with the frozen lock file, cache the package store, run binaries. The generated pipelines use it,
 * so a pnpm or yarn workspace on Node 22 runs them unedited. Pure (files are read through `read`).
 */

export type PackageManagerName = 'npm' | 'pnpm' | 'yarn' | 'yarn-berry';

export interface Toolchain {
  node: {
    /** GitHub's setup-node input: a file it reads (`.nvmrc`, `.node-version`, `package.json`) or a version. */
    github: { file: string } | { version: string };
    /** The tag of the official Node images on GitLab (`22`, `22.11.0`, `lts`). */
    imageTag: string;
    /** Where the version came from, for the generator's message. */
    source: string;
  };
  packageManager: {
    name: PackageManagerName;
    /** The version package.json's packageManager names (corepack installs exactly it), if any. */
    version?: string;
    source: string;
    /** Runs a workspace binary: `npx nx`, `pnpm exec nx`, `yarn --silent nx`, `yarn nx`. */
    exec: string;
    /** The install that fails when the lock file is out of date. */
    install: string;
    lockfile?: string;
  };
}

/** Node's LTS codenames (`lts/iron` in an .nvmrc) and their majors. */
const LTS_CODENAMES: Record<string, string> = {
  argon: '4',
  boron: '6',
  carbon: '8',
  dubnium: '10',
  erbium: '12',
  fermium: '14',
  gallium: '16',
  hydrogen: '18',
  iron: '20',
  jod: '22',
  krypton: '24',
};
/** The oldest Node nx-strata runs on: a range that allows older ones is taken from here. */
const MINIMUM_NODE_MAJOR = 20;

interface PackageJson {
  packageManager?: unknown;
  engines?: { node?: unknown };
  volta?: { node?: unknown };
}

export function detectToolchain(read: (path: string) => string | null): Toolchain {
  let manifest: PackageJson = {};
  try {
    manifest = (JSON.parse(read('package.json') ?? '{}') as PackageJson | null) ?? {};
  } catch {
    manifest = {};
  }
  return { node: detectNode(read, manifest), packageManager: detectPackageManager(read, manifest) };
}

function detectNode(read: (path: string) => string | null, manifest: PackageJson): Toolchain['node'] {
  for (const file of ['.nvmrc', '.node-version']) {
    const text = read(file);
    const version = text
      ?.split('\n')
      .map((line) => line.replace(/#.*$/, '').trim())
      .find(Boolean);
    if (version) return { github: { file }, imageTag: imageTagOf(version), source: `${file} (${version})` };
  }
  const volta = typeof manifest.volta?.node === 'string' ? manifest.volta.node : undefined;
  if (volta) return { github: { file: 'package.json' }, imageTag: imageTagOf(volta), source: `package.json volta.node (${volta})` };
  const engines = typeof manifest.engines?.node === 'string' ? manifest.engines.node : undefined;
  const major = engines ? majorOfRange(engines) : undefined;
  if (engines && major)
    return { github: { version: major }, imageTag: major, source: `package.json engines.node (${engines}): Node ${major}` };
  return { github: { version: 'lts/*' }, imageTag: 'lts', source: 'no .nvmrc, .node-version, volta or engines: the current LTS' };
}

/** `v22.11.0` → `22.11.0`, `22` → `22`, `lts/iron` → `20`, `lts/*` / `node` → `lts`. */
function imageTagOf(version: string): string {
  const plain = version.trim().replace(/^v/, '');
  if (/^\d+(\.\d+){0,2}$/.test(plain)) return plain;
  const lts = /^lts\/(.+)$/i.exec(plain)?.[1]?.toLowerCase();
  if (lts && LTS_CODENAMES[lts]) return LTS_CODENAMES[lts];
  return 'lts';
}

/** The Node major a CI job uses for an engines range: its lowest major, raised to the oldest nx-strata runs on, under its upper bound. */
function majorOfRange(range: string): string | undefined {
  const majors = [...range.matchAll(/(\d+)(?:\.[\dx*]+)*/g)].map((match) => Number(match[1]));
  if (!majors.length) return undefined;
  const bound = /<(=?)\s*v?(\d+)/.exec(range);
  const upper = bound ? Number(bound[2]) - (bound[1] ? 0 : 1) : undefined;
  const chosen = Math.max(Math.min(...majors), MINIMUM_NODE_MAJOR);
  return String(upper !== undefined && chosen > upper ? upper : chosen);
}

function detectPackageManager(read: (path: string) => string | null, manifest: PackageJson): Toolchain['packageManager'] {
  const declared = typeof manifest.packageManager === 'string' ? /^(npm|pnpm|yarn)@(\d[^+\s]*)/.exec(manifest.packageManager) : null;
  const has = (file: string) => read(file) !== null;
  if (declared) {
    const [, name, version] = declared;
    const kind: PackageManagerName =
      name === 'yarn' ? (Number.parseInt(version, 10) >= 2 ? 'yarn-berry' : 'yarn') : (name as PackageManagerName);
    return commandsOf(kind, `package.json packageManager (${manifest.packageManager as string})`, version, lockfileOf(kind, has));
  }
  if (has('pnpm-lock.yaml')) return commandsOf('pnpm', 'pnpm-lock.yaml', undefined, 'pnpm-lock.yaml');
  if (has('yarn.lock')) {
    const berry = has('.yarnrc.yml');
    return commandsOf(
      berry ? 'yarn-berry' : 'yarn',
      berry ? 'yarn.lock and .yarnrc.yml (Yarn 2+)' : 'yarn.lock (Yarn 1)',
      undefined,
      'yarn.lock',
    );
  }
  const npmLock = ['package-lock.json', 'npm-shrinkwrap.json'].find(has);
  return commandsOf('npm', npmLock ?? 'no lock file: npm', undefined, npmLock);
}

function lockfileOf(kind: PackageManagerName, has: (file: string) => boolean): string | undefined {
  const candidates = kind === 'pnpm' ? ['pnpm-lock.yaml'] : kind === 'npm' ? ['package-lock.json', 'npm-shrinkwrap.json'] : ['yarn.lock'];
  return candidates.find(has);
}

function commandsOf(
  name: PackageManagerName,
  source: string,
  version: string | undefined,
  lockfile: string | undefined,
): Toolchain['packageManager'] {
  // Frozen to the lock file when there is one; without one, a frozen install fails, so the plain install.
  const install = lockfile
    ? {
        npm: 'npm ci',
        pnpm: 'pnpm install --frozen-lockfile',
        yarn: 'yarn install --frozen-lockfile',
        'yarn-berry': 'yarn install --immutable',
      }[name]
    : `${name === 'yarn-berry' ? 'yarn' : name} install`;
  // Yarn 1 prints its own banner on stdout unless --silent (the matrix step reads the command's stdout as JSON).
  const exec = { npm: 'npx', pnpm: 'pnpm exec', yarn: 'yarn --silent', 'yarn-berry': 'yarn' }[name];
  return { name, ...(version ? { version } : {}), source, exec, install, ...(lockfile ? { lockfile } : {}) };
}

/** The package manager as people name it: `pnpm 9.15.0`, `Yarn 4 (berry)`. */
export function describePackageManager(manager: Toolchain['packageManager']): string {
  const label = { npm: 'npm', pnpm: 'pnpm', yarn: 'Yarn 1', 'yarn-berry': 'Yarn 2+' }[manager.name];
  return `${label}${manager.version ? ` ${manager.version}` : ''}`;
}
