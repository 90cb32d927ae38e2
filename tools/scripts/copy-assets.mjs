// Copies the non-TypeScript assets a package ships (schema.json files) from src/ into dist/, keeping paths.
import { cpSync, readdirSync, statSync, mkdirSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';

const packageRoot = process.argv[2];
if (!packageRoot) throw new Error('usage: copy-assets.mjs <package-root>');
const src = join(packageRoot, 'src');
const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
for (const file of walk(src).filter((f) => f.endsWith('.json'))) {
  const target = join(packageRoot, 'dist', relative(src, file));
  mkdirSync(dirname(target), { recursive: true });
  cpSync(file, target);
}
