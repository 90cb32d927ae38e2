import { Minimatch } from 'minimatch';

/**
 * Which tasks a change reaches, from Nx's own task graph and hash plans (`nx run-many --graph=<file>`: the same on Nx
 * 22, 23 and 24): a task is affected when a changed file is one of the files its hash plan reads, or when a task it
 * depends on is affected (a parent layer, a build whose outputs it copies, a `uses` task). Which project owns a changed
 * file never matters, so an image project at the workspace root is not selected by a README it does not read. Pure.
 */

/** The parts of Nx's `--graph=<file>` output this reads. Nx 22 lists dependencies as ids, Nx 24 as `{ id }`. */
export interface NxGraphFile {
  graph?: { nodes?: Record<string, { data?: { targets?: Record<string, { executor?: string }> } }> };
  tasks?: {
    tasks?: Record<string, { target?: { project?: string; target?: string } }>;
    dependencies?: Record<string, Array<string | { id?: string }>>;
  };
  /** Per task, its hash plan: `workspace:[...]`, `files:[...]`, `<project>:<glob>,<glob>,!<glob>`, `env:...`, `npm:...`. */
  taskPlans?: Record<string, string[]>;
}

/** Why a task is affected: the changed file, and the task it came through when that is not the task itself. */
export interface AffectedReason {
  file: string;
  through?: string;
}

/** Files Nx puts in every task's plan: a change to them is Nx's configuration, not an input of a build. */
const EVERY_TASK_FILES = new Set(['nx.json', '.gitignore', '.nxignore']);
/** The lock files an external-dependency entry stands for (a task of another tool that reads installed packages). */
const LOCK_FILES = ['package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lock', 'bun.lockb'];

/** The file patterns of one hash plan (workspace-relative, `!` excluding). `externals`: whether lock files count. */
export function planFilePatterns(plan: string[], externals: boolean): { include: string[]; exclude: string[] } {
  const include: string[] = [];
  const exclude: string[] = [];
  const add = (pattern: string) => {
    const path = pattern.trim().replace(/^\{workspaceRoot\}\//, '');
    if (!path) return;
    if (path.startsWith('!')) exclude.push(path.slice(1).replace(/^\{workspaceRoot\}\//, ''));
    else if (!EVERY_TASK_FILES.has(path)) include.push(path);
  };
  for (const entry of plan) {
    const listed = /^(?:workspace|files):\[(.*)\]$/s.exec(entry);
    if (listed) {
      splitPatterns(listed[1]).forEach(add);
      continue;
    }
    if (entry === 'AllExternalDependencies' || entry.startsWith('npm:')) {
      if (externals) include.push(...LOCK_FILES);
      continue;
    }
    const colon = entry.indexOf(':');
    if (colon <= 0 || /^(env|runtime|cwd)$/.test(entry.slice(0, colon))) continue;
    const patterns = entry.slice(colon + 1);
    // `<project>:ProjectConfiguration`, `<project>:TsConfig` name no files.
    if (/^[A-Za-z]+$/.test(patterns)) continue;
    splitPatterns(patterns).forEach(add);
  }
  return { include: [...new Set(include)], exclude: [...new Set(exclude)] };
}

/** Comma-separated globs, keeping commas inside `{a,b}`. */
function splitPatterns(text: string): string[] {
  const patterns: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '{') depth++;
    else if (char === '}') depth = Math.max(0, depth - 1);
    else if (char === ',' && depth === 0) {
      patterns.push(text.slice(start, index));
      start = index + 1;
    }
  }
  patterns.push(text.slice(start));
  return patterns.filter((pattern) => pattern.trim());
}

const matchers = new Map<string, Minimatch>();
/** A pattern matches a file it names literally (`app/[id]/page.tsx`) or as a glob. */
function matches(pattern: string, file: string): boolean {
  if (pattern === file) return true;
  let matcher = matchers.get(pattern);
  if (!matcher) {
    matcher = new Minimatch(pattern, { dot: true });
    matchers.set(pattern, matcher);
  }
  return matcher.match(file);
}

/** The first changed file the plan reads, or undefined. */
export function firstChangedInput(plan: { include: string[]; exclude: string[] }, changed: string[]): string | undefined {
  return changed.find(
    (file) => plan.include.some((pattern) => matches(pattern, file)) && !plan.exclude.some((pattern) => matches(pattern, file)),
  );
}

/**
 * Every task of the graph that the changed files reach, with why. A task that is not nx-strata's own (`api:build`) also
 * reads the workspace's lock file through its external dependencies; nx-strata's layers list every file they read.
 */
export function affectedTasksOf(graph: NxGraphFile, changed: string[]): Map<string, AffectedReason> {
  const tasks = graph.tasks?.tasks ?? {};
  const dependencies = graph.tasks?.dependencies ?? {};
  const plans = graph.taskPlans ?? {};
  const sortedChanged = [...new Set(changed)].sort();
  const memo = new Map<string, AffectedReason | null>();
  const isStrataTask = (id: string) => {
    const target = tasks[id]?.target;
    const executor = graph.graph?.nodes?.[target?.project ?? '']?.data?.targets?.[target?.target ?? '']?.executor ?? '';
    return executor.startsWith('nx-strata:');
  };
  const visit = (id: string): AffectedReason | null => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    memo.set(id, null); // a cycle (Nx refuses them) ends here
    let reason: AffectedReason | null = null;
    const own = firstChangedInput(planFilePatterns(plans[id] ?? [], !isStrataTask(id)), sortedChanged);
    if (own !== undefined) reason = { file: own };
    else {
      for (const dependency of dependencies[id] ?? []) {
        const dependencyId = typeof dependency === 'string' ? dependency : dependency.id;
        if (!dependencyId) continue;
        const upstream = visit(dependencyId);
        if (upstream) {
          reason = { file: upstream.file, through: upstream.through ?? dependencyId };
          break;
        }
      }
    }
    memo.set(id, reason);
    return reason;
  };
  const affected = new Map<string, AffectedReason>();
  for (const id of Object.keys(tasks).sort()) {
    const reason = visit(id);
    if (reason) affected.set(id, reason);
  }
  return affected;
}

/** `src/main.py` or `libs/util/index.ts (through api:build)`: the matrix's `why`. */
export function describeReason(reason: AffectedReason): string {
  return reason.through ? `${reason.file} (through ${reason.through})` : reason.file;
}
