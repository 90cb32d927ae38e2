import { lineAtOrAfter, parseYaml } from './yaml-lines';

/**
 * How a GitHub Actions workflow publishes images today, read so init can propose the same in strata.json (issue 26
 * item 5): `docker/metadata-action` steps (`images:` and `tags:` rules, `flavor:`), `docker/login-action` registries
 * and the workflow's triggers. Each tag rule becomes an nx-strata tag template, or is named as what cannot be mapped,
 * with the file and line it came from. Pure.
 */
export interface WorkflowPublishing {
  /** Where the workflow runs: its push tags and branches, and whether a published release triggers it. */
  triggers: { tags: string[]; branches: string[]; release: boolean; source: string };
  /** Each metadata-action step: the images it names and the tag templates its rules map to. */
  steps: MetadataStep[];
  /** Registries `docker/login-action` logs in to (Docker Hub when it names none), with the credentials as written. */
  logins: Array<{ registry: string; source: string; username?: string; password?: string }>;
}

export interface MetadataStep {
  /** The workflow file and job it runs in: a build-push-action step of the same job pushes what it names. */
  file: string;
  job: string;
  source: string;
  /** Image references with their registry host (`docker.io` for Docker Hub names), plain ones only. */
  images: Array<{ host: string; repository: string }>;
  /** nx-strata tag templates (`{version}`, `{major}.{minor}`, `latest`, `sha-{sha}`, `{branch}`). */
  tags: string[];
  /** What could not be mapped, each once with the line it came from, the rule as written and why. */
  unmapped: string[];
}

/** metadata-action's rules when a step gives no `tags:` input. */
const DEFAULT_TAG_RULES = ['type=schedule', 'type=ref,event=branch', 'type=ref,event=tag', 'type=ref,event=pr'];

/** What a workflow's `${{ github.* }}` values are here: `repository` (owner/name) from the checkout's GitHub remote. */
export interface WorkflowContext {
  repository?: string;
}

export function readWorkflowPublishing(text: string, file: string, context: WorkflowContext = {}): WorkflowPublishing | undefined {
  const parsed = parseYaml(text);
  const value = parsed?.value as {
    on?: unknown;
    env?: Record<string, unknown>;
    jobs?: Record<string, { steps?: Array<{ uses?: unknown; with?: Record<string, unknown> }> }>;
  } | null;
  if (!parsed || !value || typeof value !== 'object') return undefined;
  const at = (path: Array<string | number>) => `${file}:${parsed.lineOf(path) ?? 1}`;
  const env = Object.fromEntries(
    Object.entries(value.env ?? {}).flatMap(([name, item]) => (typeof item === 'string' ? [[name, resolveGithub(item, context)]] : [])),
  ) as Record<string, string>;
  const triggers = triggersOf(value.on, at(['on']));
  const steps: MetadataStep[] = [];
  const logins: WorkflowPublishing['logins'] = [];
  for (const [job, definition] of Object.entries(value.jobs ?? {})) {
    (definition?.steps ?? []).forEach((step, index) => {
      if (typeof step?.uses !== 'string') return;
      const inputs = step.with ?? {};
      const input = (key: string) => (typeof inputs[key] === 'string' ? (inputs[key] as string) : undefined);
      const stepLine = parsed.lineOf(['jobs', job, 'steps', index]) ?? 1;
      const source = `${file}:${stepLine} (job ${job}, step ${index + 1})`;
      if (step.uses.startsWith('docker/login-action')) {
        const registry = resolveEnv(input('registry') ?? 'docker.io', env, context);
        const credentials = {
          ...(input('username') ? { username: input('username') } : {}),
          ...(input('password') ? { password: input('password') } : {}),
        };
        if (registry && !registry.includes('${{')) logins.push({ registry, source, ...credentials });
      } else if (step.uses.startsWith('docker/metadata-action')) {
        const place = {
          file,
          job,
          source,
          locate: (line: string) => `${file}:${lineAtOrAfter(text, stepLine, (candidate) => candidate === line) ?? stepLine}`,
        };
        const rules = input('tags');
        steps.push(
          rules === undefined
            ? metadataStep(input('images') ?? '', DEFAULT_TAG_RULES.join('\n'), input('flavor') ?? '', {
                env,
                context,
                triggers,
                place: { file, job, source },
                defaultRules: true,
              })
            : metadataStep(input('images') ?? '', rules, input('flavor') ?? '', { env, context, triggers, place }),
        );
      }
    });
  }
  return { triggers, steps, logins };
}

/** One metadata-action step: its images, and each tag rule as a template or a reason it cannot be one. */
export function metadataStep(
  images: string,
  tags: string,
  flavor: string,
  step: {
    env: Record<string, string>;
    context?: WorkflowContext;
    triggers: WorkflowPublishing['triggers'];
    place: { file: string; job: string; source: string; locate?: (line: string) => string };
    /** The rules are metadata-action's defaults (the step gives no `tags:`). */
    defaultRules?: boolean;
  },
): MetadataStep {
  const { env, context = {}, triggers, place } = step;
  const ruleName = step.defaultRules ? "metadata-action's default tag rule" : 'tag rule';
  const unmapped: string[] = [];
  const where = (line: string) => place.locate?.(line) ?? place.source;
  const references = lines(images).flatMap((line) => {
    const name = resolveEnv(fields(line).name ?? line, env, context).toLowerCase();
    if (name.includes('${{')) {
      unmapped.push(`${where(line)}: image ${line}: an expression nx-strata cannot read; name the registry in publish.registries`);
      return [];
    }
    return [splitImage(name)];
  });
  const templates: string[] = [];
  let semver = false;
  // A workflow that runs on release tags is published by nx-strata's pipeline on those tags, which have no branch.
  const onTags = triggers.tags.length > 0 || triggers.release;
  for (const rule of lines(tags)) {
    const mapped = mapTagRule(rule, onTags ? { tagPrefix: tagPrefixOf(triggers.tags) } : {});
    if ('template' in mapped && onTags && mapped.template.includes('{branch}'))
      unmapped.push(
        `${where(rule)}: ${ruleName} ${rule}: a branch push's tag; this image is published on its release tags (\`nx g nx-strata:ci\`), which name no branch`,
      );
    else if ('template' in mapped && !onTags && mapped.semver)
      unmapped.push(`${where(rule)}: ${ruleName} ${rule}: a release tag's version, and this workflow runs on no tag push`);
    else if ('template' in mapped) {
      templates.push(mapped.template);
      if (mapped.semver) semver = true;
    } else unmapped.push(`${where(rule)}: ${ruleName} ${rule}: ${mapped.reason}`);
  }
  // metadata-action adds `latest` to a semver release by default (flavor latest=auto).
  const flavors = Object.fromEntries(lines(flavor).map((line) => line.split('=').map((part) => part.trim()) as [string, string]));
  if (semver && (flavors.latest ?? 'auto') !== 'false' && !templates.includes('latest')) templates.push('latest');
  return { file: place.file, job: place.job, source: place.source, images: references, tags: [...new Set(templates)], unmapped };
}

/** A metadata-action tag rule as an nx-strata tag template, or why it cannot be one. Pure. */
export function mapTagRule(
  rule: string,
  context: { tagPrefix?: string } = {},
): { template: string; semver?: boolean } | { reason: string } {
  const spec = fields(rule);
  const type = spec.type ?? '';
  if (spec.enable && spec.enable !== 'true') return { reason: 'enabled by an expression; nx-strata publishes its tags every time' };
  const affix = (template: string) => `${spec.prefix ?? ''}${template}${spec.suffix ?? ''}`;
  switch (type) {
    case 'semver': {
      const pattern = spec.pattern ?? '{{version}}';
      const template = pattern
        .replace(/\{\{\s*version\s*\}\}/g, '{version}')
        .replace(/\{\{\s*major\s*\}\}/g, '{major}')
        .replace(/\{\{\s*minor\s*\}\}/g, '{minor}')
        .replace(/\{\{\s*patch\s*\}\}/g, '{patch}');
      if (template.includes('{{')) return { reason: `the pattern ${pattern} uses a part nx-strata has no token for` };
      return { template: affix(template), semver: true };
    }
    case 'raw':
      if (!spec.value || spec.value.includes('${{') || spec.value.includes('{{')) return { reason: 'a value made by an expression' };
      return { template: affix(spec.value) };
    case 'sha':
      return spec.format === 'long'
        ? { reason: 'the long SHA: nx-strata gives the short one ({sha})' }
        : { template: `${spec.prefix ?? 'sha-'}{sha}${spec.suffix ?? ''}` };
    case 'ref':
      if (spec.event === 'branch') return { template: affix('{branch}') };
      // The tag as pushed: its literal prefix and the version after it (the version nx-strata's release job publishes).
      if (spec.event === 'tag')
        return context.tagPrefix === undefined
          ? { reason: 'the git tag as written, and no tag push pattern says what comes before its version' }
          : { template: affix(`${context.tagPrefix}{version}`), semver: true };
      return { reason: 'pull request tags: a pull request publishes nothing in nx-strata (it pushes to the untrusted namespace)' };
    case 'edge':
      return { template: affix('edge') };
    case 'schedule':
      return { reason: 'scheduled builds: nx-strata publishes what a trusted push or release builds' };
    default:
      return { reason: `the rule type "${type || rule}" has no nx-strata tag template` };
  }
}

/** The workflow's triggers (`on:` as a string, a list or a map). */
function triggersOf(on: unknown, source: string): WorkflowPublishing['triggers'] {
  const triggers = { tags: [] as string[], branches: [] as string[], release: false, source };
  const list = (value: unknown) =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : typeof value === 'string' ? [value] : [];
  if (typeof on === 'string' || Array.isArray(on)) {
    triggers.release = list(on).includes('release');
    return triggers;
  }
  if (!on || typeof on !== 'object') return triggers;
  const events = on as Record<string, { tags?: unknown; branches?: unknown } | null>;
  triggers.tags = list(events.push?.tags);
  triggers.branches = list(events.push?.branches);
  triggers.release = 'release' in events;
  return triggers;
}

/** `name=ghcr.io/acme/api,enable=true` → fields; a bare value is not a field. */
function fields(line: string): Record<string, string> {
  const entries = line
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.includes('='))
    .map((part) => [part.slice(0, part.indexOf('=')).trim(), part.slice(part.indexOf('=') + 1).trim()] as [string, string]);
  return Object.fromEntries(entries);
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

/** `${{ env.REGISTRY }}` from the workflow's own `env:`, then `${{ github.repository }}`; any other expression stays (and is named as unmapped). */
function resolveEnv(value: string, env: Record<string, string>, context: WorkflowContext): string {
  return resolveGithub(
    value.replace(/\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (match, name: string) => env[name] ?? match),
    context,
  );
}

/** `${{ github.repository }}` and `${{ github.repository_owner }}`, when the checkout's GitHub remote says them. */
function resolveGithub(value: string, context: WorkflowContext): string {
  const repository = context.repository;
  if (!repository) return value;
  return value
    .replace(/\$\{\{\s*github\.repository\s*\}\}/g, repository)
    .replace(/\$\{\{\s*github\.repository_owner\s*\}\}/g, repository.split('/')[0]);
}

/**
 * The literal text before the version in the workflow's tag push patterns (`v` of `v*.*.*`), when they all share it:
 * what `nx g nx-strata:ci` strips from a pushed tag to get the version. Undefined when they differ or say nothing.
 */
export function tagPrefixOf(patterns: string[]): string | undefined {
  const literals = patterns.map((pattern) => pattern.split(/[*?[+!]/)[0]);
  if (literals.length === 0) return 'v';
  return literals.every((literal) => literal === literals[0]) && /^[A-Za-z0-9._/-]*$/.test(literals[0]) ? literals[0] : undefined;
}

/** `https://github.com/Acme/Finance.git` or `git@github.com:acme/finance` → `acme/finance`; undefined for another host. Pure. */
export function githubRepositoryOf(remoteUrl: string): string | undefined {
  const match =
    /^(?:https?:\/\/(?:[^@/]+@)?github\.com\/|git@github\.com:|ssh:\/\/git@github\.com\/)([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(
      remoteUrl.trim(),
    );
  return match ? `${match[1]}/${match[2]}`.toLowerCase() : undefined;
}

/** `ghcr.io/acme/api` → ghcr.io + acme/api; `acme/api` (Docker Hub) → docker.io + acme/api; `api` → docker.io + library/api. */
function splitImage(name: string): { host: string; repository: string } {
  const [first, ...rest] = name.split('/');
  if (rest.length && (first.includes('.') || first.includes(':') || first === 'localhost'))
    return { host: first, repository: rest.join('/') };
  return { host: 'docker.io', repository: rest.length ? name : `library/${name}` };
}
