// Layer-key hashing throughput on a warm page cache: a tree of many small files and a few large ones, hashed the way
// the docker-build executor does (nx-strata's FileHasher + computeLayerKey: streaming xxh64, 256 KiB chunks), beside
// Node's streaming SHA-256 (what content checksums usually use) on the same files. Reports the peak extra memory
// (max RSS growth) of each run in its own process. Not run by CI.
// usage: node tools/bench/hashing.mjs [--small-files 20000] [--large-files 4] [--large-mb 512]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const arg = (name, fallback) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback);
const smallFiles = arg('--small-files', 20000);
const largeFiles = arg('--large-files', 4);
const largeMb = arg('--large-mb', 512);
const [, , role, tree, kind] = process.argv;

function listFiles(root) {
  return readdirSync(root, { recursive: true })
    .filter((path) => statSync(join(root, path)).isFile())
    .map((path) => path.split('\\').join('/'))
    .sort();
}

async function measure() {
  const files = listFiles(tree);
  const bytes = files.reduce((sum, file) => sum + statSync(join(tree, file)).size, 0);
  const baseline = process.resourceUsage().maxRSS;
  const started = process.hrtime.bigint();
  if (kind === 'nx-strata') {
    const require = createRequire(join(repoRoot, 'packages/nx-strata/package.json'));
    const { FileHasher } = require('./dist/hash/file-hasher.js');
    const { computeLayerKey } = require('./dist/hash/layer-key.js');
    const hasher = await FileHasher.create();
    const dockerfile = join(tree, '..', 'Dockerfile');
    computeLayerKey(
      {
        variant: 'v',
        layer: 'l',
        platform: 'linux/amd64',
        args: {},
        dockerfileAbsolute: dockerfile,
        contextAbsolute: tree,
        contextFiles: files,
        parentKey: null,
      },
      hasher,
    );
  } else {
    const buffer = Buffer.allocUnsafe(256 * 1024);
    for (const file of files) {
      const hash = createHash('sha256');
      const fd = openSync(join(tree, file), 'r');
      for (let read; (read = readSync(fd, buffer, 0, buffer.length, null)) > 0;) hash.update(buffer.subarray(0, read));
      closeSync(fd);
      hash.digest('hex');
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(JSON.stringify({ files: files.length, bytes, seconds, extraMb: (process.resourceUsage().maxRSS - baseline) / 1024 }));
}

function makeTrees(root) {
  const small = join(root, 'small/context');
  const large = join(root, 'large/context');
  if (!existsSync(join(root, '.done'))) {
    mkdirSync(small, { recursive: true });
    mkdirSync(large, { recursive: true });
    const chunk = Buffer.alloc(4096, 'x');
    for (let i = 0; i < smallFiles; i++) {
      const dir = join(small, `d${i % 200}`);
      if (i < 200) mkdirSync(dir, { recursive: true });
      chunk.write(String(i), 0);
      writeFileSync(join(dir, `f${i}.py`), chunk);
    }
    for (let i = 0; i < largeFiles; i++)
      execFileSync('dd', ['if=/dev/urandom', `of=${join(large, `weights-${i}.bin`)}`, 'bs=1M', `count=${largeMb}`], { stdio: 'ignore' });
    for (const tree of [small, large]) writeFileSync(join(tree, '..', 'Dockerfile'), 'FROM scratch\nCOPY . /\n');
    writeFileSync(join(root, '.done'), '');
  }
  return { small, large };
}

if (role === 'measure') {
  await measure();
} else {
  if (!existsSync(join(repoRoot, 'packages/nx-strata/dist/index.js'))) throw new Error('build first: npx nx run nx-strata:build');
  const trees = makeTrees(join(repoRoot, `tmp/bench-hashing-${smallFiles}-${largeFiles}x${largeMb}`));
  const rows = [];
  for (const [name, tree] of Object.entries(trees)) {
    execFileSync(
      'cat',
      listFiles(tree)
        .map((file) => join(tree, file))
        .slice(0, 1),
      { stdio: 'ignore' },
    );
    execFileSync('sh', ['-c', `find "${tree}" -type f -exec cat {} + > /dev/null`]); // warm the page cache
    for (const kind of ['nx-strata', 'sha256']) {
      const runs = [0, 1, 2].map(() =>
        JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), 'measure', tree, kind], { encoding: 'utf8' }).trim()),
      );
      const best = runs.sort((a, b) => a.seconds - b.seconds)[1];
      rows.push({ tree: name, kind, ...best, extraMb: Math.max(...runs.map((run) => run.extraMb)) });
    }
  }
  console.log('\nlayer-key hashing on a warm page cache (median of 3, each run in a fresh process)\n');
  console.log('| tree | hasher | files | MB | seconds | MB/s | files/s | peak extra memory (MB) |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    const mb = row.bytes / 1e6;
    console.log(
      `| ${row.tree} | ${row.kind === 'nx-strata' ? 'nx-strata (xxh64, computeLayerKey)' : 'node sha256 stream'} | ${row.files} | ${mb.toFixed(0)} | ${row.seconds.toFixed(2)} | ${(mb / row.seconds).toFixed(0)} | ${(row.files / row.seconds).toFixed(0)} | ${row.extraMb.toFixed(0)} |`,
    );
  }
}
