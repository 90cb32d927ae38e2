// Prints which layers a step really built, from nx-strata's build records: a record whose builtAt is after the
// step started was written by a real build; cache hits restore older records.
// usage: node summarize.mjs <workspace> <step-start-ms> <step-seconds>
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [workspace, startedArg, secondsArg] = process.argv.slice(2);
const dir = join(workspace, 'dist/strata');
const records = existsSync(dir)
  ? readdirSync(dir, { recursive: true })
      .filter((f) => f.endsWith('.json') && !f.endsWith('publish.json'))
      .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')))
  : [];
const started = Number(startedArg);
const rows = records
  .sort((a, b) => `${a.variant}${a.platform}${a.layer}`.localeCompare(`${b.variant}${b.platform}${b.layer}`))
  .map((r) => {
    const now = Date.parse(r.builtAt) >= started;
    const result = !now ? 'Nx cache' : r.result === 'registry-hit' ? 'registry hit' : `built ${(r.durationMs / 1000).toFixed(1)} s`;
    return { variant: r.variant, platform: r.platform, layer: r.layer, key: r.key, result, digest: r.digest.slice(0, 19) };
  });
const columns = ['variant', 'platform', 'layer', 'key', 'result', 'digest'];
const width = Object.fromEntries(columns.map((c) => [c, Math.max(c.length, ...rows.map((r) => String(r[c]).length))]));
const line = (r) => columns.map((c) => String(r[c]).padEnd(width[c])).join('  ');
console.log(line(Object.fromEntries(columns.map((c) => [c, c]))));
rows.forEach((r) => console.log(line(r)));
const built = rows.filter((r) => r.result.startsWith('built')).length;
const hits = rows.filter((r) => r.result === 'registry hit').length;
console.log(
  `→ ${built} layer build${built === 1 ? '' : 's'}, ${hits} registry hit${hits === 1 ? '' : 's'}, ${rows.length - built - hits} from Nx's cache, ${secondsArg} s wall time`,
);
