// Stages the build context of the cache-server image: the packed nx-strata with its production dependencies
// (no peers: the cache server never loads nx), the Dockerfile, and an empty directory for the default file storage.
// usage: node tools/cache-server-image/stage.mjs <dir>     (build the plugin first: npx nx run nx-strata:build)
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packPlugin } from '../scripts/install-plugin.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const target = resolve(process.argv[2] ?? 'tmp/cache-server-image');
rmSync(target, { recursive: true, force: true });
mkdirSync(join(target, 'app'), { recursive: true });
mkdirSync(join(target, 'cache'), { recursive: true });
writeFileSync(join(target, 'cache', '.keep'), '');
writeFileSync(join(target, 'app', 'package.json'), '{ "private": true }\n');
const tarball = packPlugin(join(target, 'pack'));
execFileSync(
  'npm',
  ['install', '--omit=dev', '--omit=peer', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', '--no-package-lock', tarball],
  { cwd: join(target, 'app'), stdio: 'inherit' },
);
rmSync(join(target, 'pack'), { recursive: true, force: true });
copyFileSync(join(here, 'Dockerfile'), join(target, 'Dockerfile'));
console.log(target);
