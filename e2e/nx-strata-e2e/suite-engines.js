// Which engines each e2e suite runs on: both where the behaviour it proves differs between Docker 20.10 with the
// classic image store and Docker 26.1 with the containerd store (what a build pushes, how a digest is pulled and run,
// manifest lists against OCI indexes, attestations, annotations), one where it does not (generators, the graph, the
// cache server, the CLI, errors found before any engine call). docs/development.md lists the same table.
// Every suite must be named here: a suite missing from the table fails the run instead of silently never running.
const { readdirSync } = require('node:fs');
const { join } = require('node:path');

const SUITE_ENGINES = {
  // What differs between the engines.
  'vision-layers': ['classic', 'containerd'], // the layer chain, content tags and digests, the dry run
  'registry-cache': ['classic', 'containerd'], // registry hits; provenance attaches only on the containerd store
  publish: ['classic', 'containerd'], // Docker manifest lists against OCI indexes with annotations
  verification: ['classic', 'containerd'], // pulling and running a recorded digest
  'test-containers': ['classic', 'containerd'], // containers under test and their clean-up
  trust: ['classic', 'containerd'], // which digests a run builds on and pulls
  // Only the containerd store can do it, or it tests Nx rather than an engine.
  release: ['containerd'], // annotations and provenance on the published index (publish covers the classic list)
  'containerd-engine': ['containerd'],
  'two-hosts': ['containerd'], // drives both engines itself
  'nx-majors': ['containerd'], // Nx 21 to 24 (and 19's refusal), not an engine
  // The same on every engine: run once.
  'cache-server': ['classic'],
  'cache-server-image': ['classic'],
  monorepo: ['classic'],
  'per-directory': ['classic'],
  'bad-input': ['classic'],
  hardening: ['classic'],
  binaries: ['classic'],
  adoption: ['classic'],
  init: ['classic'],
  report: ['classic'],
  'gitlab-ci': ['classic'],
};

/** The suite names of the e2e directory (`<name>.e2e-spec.ts`). */
function suiteNames() {
  return readdirSync(join(__dirname, 'src'))
    .filter((file) => file.endsWith('.e2e-spec.ts'))
    .map((file) => file.slice(0, -'.e2e-spec.ts'.length))
    .sort();
}

/** The suites to run on `engine`; throws for a suite the table does not name (or names but does not exist). */
function suitesFor(engine) {
  const names = suiteNames();
  const unlisted = names.filter((name) => !SUITE_ENGINES[name]);
  const gone = Object.keys(SUITE_ENGINES).filter((name) => !names.includes(name));
  if (unlisted.length || gone.length)
    throw new Error(
      `e2e/nx-strata-e2e/suite-engines.js does not match the suites: ${[...unlisted.map((name) => `${name} is not listed`), ...gone.map((name) => `${name} does not exist`)].join('; ')}; say on which engines each suite runs`,
    );
  return names.filter((name) => SUITE_ENGINES[name].includes(engine));
}

module.exports = { SUITE_ENGINES, suitesFor };
