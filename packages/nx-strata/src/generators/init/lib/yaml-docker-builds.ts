import { posix } from 'node:path';
import { lineAtOrAfter, parseYaml } from './yaml-lines';
import { findShellDockerBuilds, type MakefileDockerBuild } from './makefile-docker-builds';

/**
 * A build found in a YAML file; `name` is the compose service, when there is one (a good layer name); `workflow` the
 * workflow file and job of a build-push-action step (a metadata-action step of the same job names what it pushes);
 * `published` whether it names where the image goes (a compose `image:`, a workflow step that pushes).
 */
export type YamlDockerBuild = MakefileDockerBuild & { name?: string; workflow?: { file: string; job: string }; published?: boolean };

/**
 * Builds in a docker-compose / compose file: each service with `build` (a context, or `context`, `dockerfile`, `target`,
 * `args`, `platforms`). Paths are relative to the compose file's directory; `dockerfile` is relative to the context.
 */
export function findComposeBuilds(text: string, file: string): YamlDockerBuild[] {
  const parsed = parseYaml(text);
  const document = parsed?.value as { services?: Record<string, { build?: unknown; image?: unknown; platform?: unknown }> } | undefined;
  const builds: YamlDockerBuild[] = [];
  for (const [service, definition] of Object.entries(document?.services ?? {})) {
    const build = definition?.build;
    if (build === undefined || build === null) continue;
    const spec = typeof build === 'string' ? { context: build } : (build as Record<string, unknown>);
    const context = typeof spec.context === 'string' ? spec.context : '.';
    const dockerfile = typeof spec.dockerfile === 'string' ? joinPath(context, spec.dockerfile) : joinPath(context, 'Dockerfile');
    const platforms = Array.isArray(spec.platforms)
      ? spec.platforms.filter((p): p is string => typeof p === 'string')
      : typeof definition.platform === 'string'
        ? [definition.platform]
        : [];
    builds.push({
      source: `${file}:${parsed?.lineOf(['services', service]) ?? 1} (service ${service})`,
      name: service,
      dockerfile,
      context,
      tags: typeof definition.image === 'string' ? [definition.image] : [],
      published: typeof definition.image === 'string',
      buildArgs: argsOf(spec.args),
      platforms,
      ...(typeof spec.target === 'string' ? { target: spec.target } : {}),
      unresolved: [...`${context} ${dockerfile}`.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1]),
    });
  }
  return builds;
}

/**
 * Builds in a GitHub Actions workflow: each `docker/build-push-action` step's `context`, `file`, `target`, `build-args`,
 * `platforms` and `tags`. Paths are relative to the repository root; values with `${{ }}` expressions are not used.
 */
export function findWorkflowBuilds(text: string, file: string): YamlDockerBuild[] {
  const parsed = parseYaml(text);
  type RunDefaults = { defaults?: { run?: { 'working-directory'?: unknown } } };
  const document = parsed?.value as
    | (RunDefaults & {
        jobs?: Record<
          string,
          RunDefaults & { steps?: Array<{ uses?: unknown; with?: Record<string, unknown>; run?: unknown; 'working-directory'?: unknown }> }
        >;
      })
    | undefined;
  const builds: YamlDockerBuild[] = [];
  const workflowText = text;
  for (const [job, definition] of Object.entries(document?.jobs ?? {})) {
    (definition?.steps ?? []).forEach((step, index) => {
      if (typeof step?.run === 'string') {
        const directory = [
          step['working-directory'],
          definition.defaults?.run?.['working-directory'],
          document?.defaults?.run?.['working-directory'],
        ].find((value): value is string => typeof value === 'string');
        const stepLine = parsed?.lineOf(['jobs', job, 'steps', index]) ?? 1;
        builds.push(...runLineBuilds(step.run, workflowText, stepLine, file, job, index, directory));
        return;
      }
      if (typeof step?.uses !== 'string' || !step.uses.startsWith('docker/build-push-action')) return;
      const inputs = step.with ?? {};
      const text = (key: string) => (typeof inputs[key] === 'string' || typeof inputs[key] === 'number' ? String(inputs[key]) : undefined);
      const context = text('context') ?? '.';
      const dockerfile = text('file') ?? joinPath(context, 'Dockerfile');
      const unresolved = [context, dockerfile].filter((value) => value.includes('${{'));
      const list = (key: string) =>
        (text(key) ?? '')
          .split(/[\n,]/)
          .map((item) => item.trim())
          .filter((item) => item && !item.includes('${{'));
      builds.push({
        source: `${file}:${parsed?.lineOf(['jobs', job, 'steps', index]) ?? 1} (job ${job}, step ${index + 1})`,
        dockerfile,
        context,
        tags: tagsOf(text('tags') ?? ''),
        workflow: { file, job },
        // `push: true`, or an expression (pushes on some events): a step that never pushes publishes nothing.
        published: inputs.push === true || (typeof inputs.push === 'string' && inputs.push !== 'false'),
        buildArgs: argsOf((text('build-args') ?? '').split('\n')),
        platforms: list('platforms'),
        ...(text('target') && !text('target')!.includes('${{') ? { target: text('target') } : {}),
        unresolved,
      });
    });
  }
  return builds;
}

/** What a `${{ }}` expression of a `run:` script is read as: a shell variable nothing defines. */
const GITHUB_EXPRESSION = 'GITHUB_EXPRESSION';

/**
 * The docker builds of a workflow step's `run:` script (read as a shell script), each with the line it is on. Paths are
 * made relative to the repository root from the step's working directory; `${{ }}` expressions are left unresolved
 * (their tags and paths are not used).
 */
function runLineBuilds(
  script: string,
  text: string,
  stepLine: number,
  file: string,
  job: string,
  index: number,
  directory: string | undefined,
): YamlDockerBuild[] {
  const plain = script.replace(/\$\{\{[^}]*\}\}/g, `$${GITHUB_EXPRESSION}`);
  const scriptLines = script.split('\n');
  return findShellDockerBuilds(plain, 'run').map(({ pushes, ...build }) => {
    const written = scriptLines[Number(build.source.split(':')[1]) - 1]?.trim() ?? '';
    const found = written ? lineAtOrAfter(text, stepLine, (line) => line.endsWith(written)) : undefined;
    const within = (path: string) => (directory && directory !== '.' && !path.startsWith('/') ? posix.join(directory, path) : path);
    return {
      ...build,
      source: `${file}:${found ?? stepLine} (job ${job}, step ${index + 1}, run)`,
      dockerfile: within(build.dockerfile),
      context: within(build.context),
      tags: build.tags.flatMap((tag) => expressionFreeTag(tag, `$${GITHUB_EXPRESSION}`) ?? []),
      workflow: { file, job },
      published: pushes === true,
      // An expression in a path is named; one in a tag only costs the tag.
      unresolved: [
        ...build.unresolved.filter((name) => name !== GITHUB_EXPRESSION),
        ...(`${build.dockerfile} ${build.context}`.includes(`$${GITHUB_EXPRESSION}`) ? ['${{ }}'] : []),
      ],
    };
  });
}

/** build-push-action `tags` (lines or commas), each as `expressionFreeTag` keeps it. */
function tagsOf(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((item) => item.trim())
    .flatMap((item) => (item ? (expressionFreeTag(item, '${{') ?? []) : []));
}

/**
 * A tag with no expression (`marker` marks where one starts), whole; one whose only expression is the tag itself
 * (`ghcr.io/acme/api:${{ github.sha }}`) by its repository, which it still names; undefined for any other.
 */
function expressionFreeTag(tag: string, marker: string): string | undefined {
  if (!tag.includes(marker)) return tag;
  const colon = tag.lastIndexOf(':', tag.indexOf(marker));
  const repository = colon > tag.lastIndexOf('/') ? tag.slice(0, colon) : '';
  return repository && !repository.includes(marker) && !repository.includes('$') ? repository : undefined;
}

/** Compose `args` (a map or a `NAME=value` list) and build-push-action `build-args` lines, as a map of plain values. */
function argsOf(value: unknown): Record<string, string> {
  const args: Record<string, string> = {};
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item !== 'string') continue;
      const equals = item.indexOf('=');
      if (equals > 0 && !item.includes('${{')) args[item.slice(0, equals).trim()] = item.slice(equals + 1).trim();
    }
  } else if (value && typeof value === 'object') {
    for (const [name, item] of Object.entries(value)) if (typeof item === 'string' || typeof item === 'number') args[name] = String(item);
  }
  return args;
}

function joinPath(directory: string, path: string): string {
  if (path.startsWith('/')) return path;
  return directory === '.' || directory === '' ? path : `${directory.replace(/\/+$/, '')}/${path}`;
}
