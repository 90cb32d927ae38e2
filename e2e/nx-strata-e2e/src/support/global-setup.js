// Packs the built plugin once per run; every e2e workspace installs this tarball, as a user would.
// Fails loudly when the engine or buildx is missing: e2e never skips for a missing environment.
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');
const { useEngine } = require('./engine');

module.exports = async function globalSetup() {
  const repoRoot = join(__dirname, '../../../..');
  for (const [command, args, fix] of [
    ['docker', ['info', '--format', '{{.ServerVersion}}'], 'start the engine: bash tools/env/setup-machine.sh'],
    ['docker', ['buildx', 'version'], 'install buildx: bash tools/env/setup-machine.sh'],
    ['docker-registry', ['--version'], 'install docker-registry: bash tools/env/setup-machine.sh'],
  ]) {
    try {
      execFileSync(command, args, { stdio: 'pipe' });
    } catch (error) {
      throw new Error(`e2e needs \`${command} ${args.join(' ')}\` to work and it failed: ${fix}\n${error.stderr ?? error.message}`);
    }
  }
  const { engine, version } = useEngine();
  process.stderr.write(`\ne2e engine: ${engine} (Docker ${version}${process.env.DOCKER_HOST ? ` at ${process.env.DOCKER_HOST}` : ''})\n`);
  const tarball = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { packPlugin } from ${JSON.stringify(join(repoRoot, 'tools/scripts/install-plugin.mjs'))}; console.log(packPlugin());`,
    ],
    { encoding: 'utf8' },
  ).trim();
  process.env.STRATA_E2E_TARBALL = tarball;
};
