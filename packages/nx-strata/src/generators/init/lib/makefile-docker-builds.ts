import { splitCommand } from '../../../utils/split-command';

/** One `docker build` / `docker buildx build` line found in a Makefile or a shell script, with variables expanded. */
export interface MakefileDockerBuild {
  /** Where it was found, for the report: `Makefile:12`. */
  source: string;
  /** Dockerfile path as written (default `<context>/Dockerfile`), relative to the directory the command runs in. */
  dockerfile: string;
  context: string;
  tags: string[];
  buildArgs: Record<string, string>;
  platforms: string[];
  /** `--target`, when given. */
  target?: string;
  /** Variables the line uses that the file does not define (left as `$(NAME)` / `$NAME`). */
  unresolved: string[];
  /** The line pushes what it builds (`--push`, or `--output` with `push=true`); left out when it does not. */
  pushes?: true;
}

const FLAGS_WITH_VALUE = new Set([
  '--add-host',
  '--allow',
  '--annotation',
  '--attest',
  '--build-context',
  '--builder',
  '--cache-from',
  '--cache-to',
  '--cgroup-parent',
  '--iidfile',
  '--label',
  '--metadata-file',
  '--network',
  '--output',
  '-o',
  '--progress',
  '--secret',
  '--shm-size',
  '--ssh',
  '--ulimit',
  '--call',
  '--isolation',
  '--cpu-shares',
  '-c',
  '--memory',
  '-m',
]);

/** Reads every docker build line of a Makefile. Understands `VAR = / := / ?= value` and `$(VAR)` / `${VAR}`; nothing more of Make. */
export function findMakefileDockerBuilds(text: string, file: string): MakefileDockerBuild[] {
  return findDockerBuildLines(text, file, 'make');
}

/**
 * Reads every docker build line of a shell script. Understands `NAME=value` (also `export` / `readonly` / `local`,
 * quotes stripped) and `$NAME`, `${NAME}`, `${NAME:-default}`; nothing more of the shell.
 */
export function findShellDockerBuilds(text: string, file: string): MakefileDockerBuild[] {
  return findDockerBuildLines(text, file, 'shell');
}

/**
 * The docker builds of a package.json's scripts (`"docker:build": "docker build -f Dockerfile -t acme/web ../.."`),
 * each read as a shell line, with the line its script is on. A package manager runs a script in the package's own
 * directory, which the caller takes as the base of its paths. Nothing from a file that is not a JSON object.
 */
export function findPackageScriptBuilds(text: string, file: string): MakefileDockerBuild[] {
  let scripts: unknown;
  try {
    scripts = (JSON.parse(text) as { scripts?: unknown } | null)?.scripts;
  } catch {
    return [];
  }
  if (!scripts || typeof scripts !== 'object') return [];
  const lines = text.split('\n');
  return Object.entries(scripts as Record<string, unknown>).flatMap(([name, script]) => {
    if (typeof script !== 'string') return [];
    const line = lines.findIndex((candidate) => candidate.includes(JSON.stringify(name)) && candidate.includes(':')) + 1 || 1;
    return findShellDockerBuilds(script, file).map((build) => ({ ...build, source: `${file}:${line} (script ${name})` }));
  });
}

function findDockerBuildLines(text: string, file: string, dialect: 'make' | 'shell'): MakefileDockerBuild[] {
  const variables = new Map<string, string>();
  const builds: MakefileDockerBuild[] = [];
  for (const { line, number } of logicalLines(text)) {
    if (dialect === 'make') {
      const assignment = /^(?:export\s+|override\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(\?=|::=|:=|\+=|=)\s*(.*)$/.exec(line);
      if (assignment && !line.startsWith('\t')) {
        const [, name, operator, value] = assignment;
        if (operator === '?=' && variables.has(name)) continue;
        variables.set(name, operator === '+=' && variables.has(name) ? `${variables.get(name)} ${value.trim()}` : value.trim());
        continue;
      }
    } else {
      const assignment = /^\s*(?:export\s+|readonly\s+|local\s+|declare\s+)?([A-Za-z_][A-Za-z0-9_]*)=(\S*)\s*$/.exec(line);
      if (assignment) {
        const unresolved = new Set<string>();
        const [value] = safeSplit(expandShell(assignment[2], variables, unresolved)) ?? [''];
        variables.set(assignment[1], value ?? '');
        continue;
      }
    }
    for (const command of line.split(/&&|\|\||;|\|/)) {
      const unresolved = new Set<string>();
      const trimmed = command.trim();
      const expanded =
        dialect === 'make'
          ? expandMake(trimmed.replace(/^[@+-]+/, ''), variables, unresolved)
          : expandShell(trimmed, variables, unresolved);
      let words: string[];
      try {
        words = splitCommand(expanded);
      } catch {
        continue;
      }
      const build = parseDockerBuild(words);
      if (build) builds.push({ source: `${file}:${number}`, ...build, unresolved: [...unresolved] });
    }
  }
  return builds;
}

function parseDockerBuild(words: string[]): Omit<MakefileDockerBuild, 'source' | 'unresolved'> | undefined {
  const docker = words.findIndex((word) => word === 'docker' || word.endsWith('/docker'));
  if (docker < 0) return undefined;
  const rest = words.slice(docker + 1);
  const start =
    rest[0] === 'build' ? 1 : rest[0] === 'buildx' && rest[1] === 'build' ? 2 : rest[0] === 'image' && rest[1] === 'build' ? 2 : -1;
  if (start < 0) return undefined;
  const found: Omit<MakefileDockerBuild, 'source' | 'unresolved'> = { dockerfile: '', context: '', tags: [], buildArgs: {}, platforms: [] };
  for (let i = start; i < rest.length; i++) {
    const word = rest[i];
    const [flag, inline] =
      word.startsWith('--') && word.includes('=')
        ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]
        : [word, undefined];
    const value = () => inline ?? rest[++i] ?? '';
    if (flag === '--push') found.pushes = true;
    else if (flag === '--output') {
      if (value().includes('push=true')) found.pushes = true;
    } else if (flag === '-f' || flag === '--file') found.dockerfile = value();
    else if (flag === '-t' || flag === '--tag') found.tags.push(value());
    else if (flag === '--build-arg') {
      const pair = value();
      const equals = pair.indexOf('=');
      if (equals > 0) found.buildArgs[pair.slice(0, equals)] = pair.slice(equals + 1);
    } else if (flag === '--platform') found.platforms.push(...value().split(',').filter(Boolean));
    else if (flag === '--target') found.target = value();
    else if (FLAGS_WITH_VALUE.has(flag)) value();
    else if (!word.startsWith('-')) found.context = word;
  }
  found.context ||= '.';
  found.dockerfile ||= `${found.context.replace(/\/+$/, '')}/Dockerfile`;
  return found;
}

/** Lines with backslash continuations joined, each with the number of its first physical line. */
function logicalLines(text: string): Array<{ line: string; number: number }> {
  const lines: Array<{ line: string; number: number }> = [];
  const physical = text.split(/\r?\n/);
  for (let i = 0; i < physical.length; i++) {
    const number = i + 1;
    let line = physical[i];
    while (line.endsWith('\\') && i + 1 < physical.length) line = `${line.slice(0, -1)} ${physical[++i].trim()}`;
    if (!line.trim().startsWith('#')) lines.push({ line, number });
  }
  return lines;
}

function expandMake(text: string, variables: ReadonlyMap<string, string>, unresolved: Set<string>, depth = 0): string {
  if (depth > 10) return text;
  return text.replace(
    /\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)|\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g,
    (match, paren?: string, brace?: string) => {
      if (match === '$$') return '$';
      const name = (paren ?? brace)!;
      const value = variables.get(name);
      if (value === undefined) {
        unresolved.add(name);
        return match;
      }
      return expandMake(value, variables, unresolved, depth + 1);
    },
  );
}

function safeSplit(text: string): string[] | undefined {
  try {
    return splitCommand(text);
  } catch {
    return undefined;
  }
}

function expandShell(text: string, variables: ReadonlyMap<string, string>, unresolved: Set<string>): string {
  // Inside single quotes nothing expands; elsewhere $NAME, ${NAME} and ${NAME:-default} do.
  return text.replace(
    /'[^']*'|\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, brace?: string, fallback?: string, fallbackValue?: string, plain?: string) => {
      if (match.startsWith("'")) return match;
      const name = (brace ?? plain)!;
      const value = variables.get(name);
      if (value !== undefined && value !== '') return value;
      if (fallback !== undefined) return fallbackValue ?? '';
      if (value !== undefined) return value;
      unresolved.add(name);
      return match;
    },
  );
}
