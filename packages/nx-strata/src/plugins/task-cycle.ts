/** What `dependsOn` entries look like in a project's targets, as createDependencies receives them. */
type DependsOnEntry = string | { target?: string; projects?: string | string[]; dependencies?: boolean; params?: unknown };

interface ProjectTargets {
  targets?: Record<string, { dependsOn?: DependsOnEntry[] } | undefined>;
}

/**
 * The tasks `from` waits for, directly: its target's `dependsOn`, with `^target` (and `dependencies: true`) resolved
 * through `projectEdges`, the project dependencies known so far. Patterns (globs in project or target names) are not
 * expanded: a cycle through one is left to Nx, which names it when the tasks run.
 */
function waitsFor(task: string, projects: Record<string, ProjectTargets>, projectEdges: Map<string, Set<string>>): string[] {
  const colon = task.indexOf(':');
  const project = task.slice(0, colon);
  const target = task.slice(colon + 1);
  const entries = projects[project]?.targets?.[target]?.dependsOn ?? [];
  const found: string[] = [];
  const inProjects = (names: string[], name: string) => {
    for (const other of names) if (projects[other]?.targets?.[name]) found.push(`${other}:${name}`);
  };
  for (const entry of entries) {
    if (typeof entry === 'string') {
      if (entry.startsWith('^')) inProjects([...(projectEdges.get(project) ?? [])], entry.slice(1));
      else if (entry.includes(':') && projects[entry.slice(0, entry.indexOf(':'))]) found.push(entry);
      else inProjects([project], entry);
    } else if (entry && typeof entry.target === 'string') {
      if (entry.dependencies) inProjects([...(projectEdges.get(project) ?? [])], entry.target);
      else if (entry.projects !== undefined)
        inProjects(typeof entry.projects === 'string' ? [entry.projects] : entry.projects, entry.target);
      else inProjects([project], entry.target);
    }
  }
  return found;
}

/**
 * A path of tasks from `from` to one of `goals` by `dependsOn` (`from` first, the goal reached last), or undefined.
 * Breadth-first, so the path given is a shortest one; each task is visited once, so a large graph costs its size.
 */
export function pathToAny(
  from: string,
  goals: ReadonlySet<string>,
  projects: Record<string, ProjectTargets>,
  projectEdges: Map<string, Set<string>>,
): string[] | undefined {
  const cameFrom = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  for (let index = 0; index < queue.length; index++) {
    const task = queue[index];
    if (goals.has(task)) {
      const path = [task];
      for (let step = cameFrom.get(task); step; step = cameFrom.get(step)) path.unshift(step);
      return path;
    }
    for (const next of waitsFor(task, projects, projectEdges)) {
      if (cameFrom.has(next)) continue;
      cameFrom.set(next, task);
      queue.push(next);
    }
  }
  return undefined;
}
