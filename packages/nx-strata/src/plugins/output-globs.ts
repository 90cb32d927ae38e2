import { isWithin } from '../model/task-links';
/**
 * Globs (workspace-relative, `/`-separated) that match `path` and everything below it, except `excluded` and
 * everything below that: a layer that copies `dist/` must never hash its parent layer's record in `dist/strata/`
 * (records carry times). Nx's globs have no exclusion inside one pattern, so the complement is spelled out with
 * negated character classes, one level of `excluded` at a time.
 */
export function globsUnder(path: string, excluded?: string): string[] {
  const base = path === '.' || path === '' ? '' : path.replace(/\/+$/, '');
  const all = (prefix: string) => (prefix ? [prefix, `${prefix}/**/*`] : ['**/*']);
  if (!excluded || !isWithin(excluded, base)) return all(escape(base));
  const rest = (base ? excluded.slice(base.length + 1) : excluded).split('/').filter(Boolean);
  const globs: string[] = [];
  let prefix = escape(base);
  for (const segment of rest) {
    for (const other of namesOtherThan(segment)) {
      const child = prefix ? `${prefix}/${other}` : other;
      globs.push(child, `${child}/**/*`);
    }
    prefix = prefix ? `${prefix}/${escape(segment)}` : escape(segment);
  }
  return globs;
}

/**
 * Patterns that together match every single path segment except `name`: a different first character, or the same
 * first characters then a different one, or a proper prefix of `name`, or `name` followed by more.
 */
function namesOtherThan(name: string): string[] {
  const patterns: string[] = [];
  for (let index = 0; index < name.length; index++) {
    patterns.push(`${escape(name.slice(0, index))}[!${classEscape(name[index])}]*`);
    if (index > 0) patterns.push(escape(name.slice(0, index)));
  }
  patterns.push(`${escape(name)}?*`);
  return patterns;
}

function escape(text: string): string {
  return text.replace(/[*?[\]{}\\!]/g, (char) => `[${char}]`);
}

function classEscape(char: string): string {
  return char === ']' || char === '\\' || char === '^' || char === '!' || char === '-' ? `\\${char}` : char;
}
