// Installs the packed nx-strata tarball into a workspace's node_modules, the way `npm i nx-strata-x.y.z.tgz` would,
// and links every other package (nx, the plugin's dependencies) from this repository's node_modules
// so test and example workspaces need no network. Build the plugin first (npx nx run nx-strata:build).
// usage: node tools/scripts/install-plugin.mjs <workspace-dir> [--tarball <tgz>]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function packPlugin(destination = join(repoRoot, 'tmp', 'pack')) {
  mkdirSync(destination, { recursive: true });
  if (!existsSync(join(repoRoot, 'packages/nx-strata/dist/index.js'))) {
    throw new Error('packages/nx-strata/dist is missing: run `npx nx run nx-strata:build` first');
  }
  const output = execFileSync('npm', ['pack', '--silent', '--pack-destination', destination], {
    cwd: join(repoRoot, 'packages/nx-strata'),
    encoding: 'utf8',
  });
  return join(destination, output.trim().split('\n').pop());
}

export function installPlugin(workspace, tarball = packPlugin()) {
  const modules = join(workspace, 'node_modules');
  mkdirSync(modules, { recursive: true });
  for (const entry of readdirSync(join(repoRoot, 'node_modules'))) {
    if (entry === 'nx-strata' || entry === '.package-lock.json' || existsSync(join(modules, entry))) continue;
    symlinkSync(join(repoRoot, 'node_modules', entry), join(modules, entry));
  }
  const target = join(modules, 'nx-strata');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target);
  execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
  // Dependencies npm nested under the package (versions that differ from the hoisted ones, e.g. execa 9).
  const nested = join(repoRoot, 'packages/nx-strata/node_modules');
  if (existsSync(nested)) {
    mkdirSync(join(target, 'node_modules'), { recursive: true });
    for (const entry of readdirSync(nested)) symlinkSync(join(nested, entry), join(target, 'node_modules', entry));
  }
  return target;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [workspace, flag, tarball] = process.argv.slice(2);
  if (!workspace) throw new Error('usage: install-plugin.mjs <workspace-dir> [--tarball <tgz>]');
  console.log(installPlugin(resolve(workspace), flag === '--tarball' ? resolve(tarball) : undefined));
}
