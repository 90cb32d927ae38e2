import { detectToolchain } from './toolchain';

const reader = (files: Record<string, string>) => (path: string) => files[path] ?? null;

describe('detectToolchain: the Node version and package manager a repository says it uses', () => {
  test.each([
    [{ '.nvmrc': 'v22.11.0\n' }, { file: '.nvmrc' }, '22.11.0'],
    [{ '.nvmrc': '22' }, { file: '.nvmrc' }, '22'],
    [{ '.nvmrc': 'lts/iron' }, { file: '.nvmrc' }, '20'],
    [{ '.nvmrc': 'lts/*' }, { file: '.nvmrc' }, 'lts'],
    [{ '.node-version': '# pinned\n24.1.0\n' }, { file: '.node-version' }, '24.1.0'],
    [{ 'package.json': '{"volta":{"node":"22.12.0"}}' }, { file: 'package.json' }, '22.12.0'],
    [{ 'package.json': '{"engines":{"node":">=22"}}' }, { version: '22' }, '22'],
    [{ 'package.json': '{"engines":{"node":"^22.11.0"}}' }, { version: '22' }, '22'],
    // An old floor is raised to the oldest Node nx-strata runs on; an upper bound is kept.
    [{ 'package.json': '{"engines":{"node":">=18"}}' }, { version: '20' }, '20'],
    [{ 'package.json': '{"engines":{"node":">=20 <23"}}' }, { version: '20' }, '20'],
    [{ 'package.json': '{"engines":{"node":"18.x || 20.x"}}' }, { version: '20' }, '20'],
    [{ 'package.json': '{"name":"x"}' }, { version: 'lts/*' }, 'lts'],
    [{ 'package.json': 'not json' }, { version: 'lts/*' }, 'lts'],
    // .nvmrc first, as nvm and setup-node read it.
    [{ '.nvmrc': '22', 'package.json': '{"engines":{"node":">=20"}}' }, { file: '.nvmrc' }, '22'],
  ])('%j → setup-node %j, image tag %s', (files, github, imageTag) => {
    const { node } = detectToolchain(reader(files));
    expect({ github: node.github, imageTag: node.imageTag }).toEqual({ github, imageTag });
  });

  test.each([
    [
      { 'package.json': '{"packageManager":"pnpm@9.15.0+sha512.abc"}', 'pnpm-lock.yaml': '' },
      'pnpm',
      '9.15.0',
      'pnpm install --frozen-lockfile',
      'pnpm exec',
    ],
    [{ 'package.json': '{"packageManager":"yarn@4.5.3"}', 'yarn.lock': '' }, 'yarn-berry', '4.5.3', 'yarn install --immutable', 'yarn'],
    [
      { 'package.json': '{"packageManager":"yarn@1.22.22"}', 'yarn.lock': '' },
      'yarn',
      '1.22.22',
      'yarn install --frozen-lockfile',
      'yarn --silent',
    ],
    [{ 'package.json': '{"packageManager":"npm@10.9.0"}', 'package-lock.json': '' }, 'npm', '10.9.0', 'npm ci', 'npx'],
    [{ 'pnpm-lock.yaml': "lockfileVersion: '9.0'" }, 'pnpm', undefined, 'pnpm install --frozen-lockfile', 'pnpm exec'],
    [{ 'yarn.lock': '', '.yarnrc.yml': 'nodeLinker: node-modules' }, 'yarn-berry', undefined, 'yarn install --immutable', 'yarn'],
    [{ 'yarn.lock': '' }, 'yarn', undefined, 'yarn install --frozen-lockfile', 'yarn --silent'],
    [{ 'package-lock.json': '{}' }, 'npm', undefined, 'npm ci', 'npx'],
    [{ 'package.json': '{}' }, 'npm', undefined, 'npm install', 'npx'],
    // A frozen install fails without a lock file: a workspace that has none gets the plain one.
    [{ 'package.json': '{"packageManager":"pnpm@9.15.0"}' }, 'pnpm', '9.15.0', 'pnpm install', 'pnpm exec'],
    [{ 'package.json': '{"packageManager":"yarn@4.5.3"}' }, 'yarn-berry', '4.5.3', 'yarn install', 'yarn'],
  ])('%j → %s %s', (files, name, version, install, exec) => {
    const { packageManager } = detectToolchain(reader(files));
    expect([packageManager.name, packageManager.version, packageManager.install, packageManager.exec]).toEqual([
      name,
      version,
      install,
      exec,
    ]);
  });
});
