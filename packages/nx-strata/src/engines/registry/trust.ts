import { branchName } from '../../utils/branch-names';
import { buildRegistry } from './registry-address';

/**
 * Who may write what a run builds on. The build registry is a cache: whoever can push a `strata-<key>` tag decides
 * what a run that takes it as a hit publishes. So runs are trusted (pushes to the trusted branches: they write and
 * read the trusted namespace only) or untrusted (pull requests, forks, developer machines: they write a namespace of
 * their own and read hits from the trusted one and their own). Credentials keep untrusted runs out of the trusted
 * namespace; this keeps trusted runs from reading anything else.
 */

/** The plugin options and environment that decide a run's namespaces. */
export interface TrustOptions {
  /** The trusted build namespace (`STRATA_REGISTRY` overrides it). Unset: local mode. */
  registry?: string | null;
  /** Where untrusted runs push (`STRATA_UNTRUSTED_REGISTRY` overrides it; empty: they push nowhere and build locally). @default "<registry>/untrusted" */
  untrustedRegistry?: string;
  /** Branches whose pushes are trusted runs on CI (`*` within a path segment, `**` across). @default ["main"] */
  trustedBranches?: string[];
}

export type TrustLevel = 'trusted' | 'untrusted';

/** What one run writes and reads. */
export interface BuildNamespaces {
  level: TrustLevel;
  /** Why the run has that level, for messages and `inspect`. */
  reason: string;
  /** The trusted namespace, or null in local mode. */
  trusted: string | null;
  /** The untrusted namespace (known to trusted runs too, to tell its references apart), or null. */
  untrusted: string | null;
  /** Where this run pushes what it builds; null: it builds into the local engine (local mode, or an untrusted run with nowhere to push). */
  write: string | null;
  /** Where this run takes registry hits, parents and publish sources from, in the order it asks. */
  read: string[];
}

export const DEFAULT_TRUSTED_BRANCHES = ['main'];
const EVENTS_THAT_RUN_THE_BRANCH = ['push', 'workflow_dispatch', 'schedule', 'merge_group'];

/** The level of this run: STRATA_TRUST when set, else what GitHub Actions or GitLab CI say about it, else untrusted. Pure. */
export function trustLevel(trustedBranches: string[], env: NodeJS.ProcessEnv): { level: TrustLevel; reason: string } {
  const explicit = env.STRATA_TRUST?.trim();
  if (explicit === 'trusted' || explicit === 'untrusted') return { level: explicit, reason: `STRATA_TRUST=${explicit}` };
  if (explicit) throw new Error(`STRATA_TRUST=${JSON.stringify(explicit.slice(0, 40))} is neither "trusted" nor "untrusted"`);
  // Branch names, as CI gives them: a pattern written as a ref (`origin/main`) means its branch.
  const branches = (trustedBranches.length ? trustedBranches : DEFAULT_TRUSTED_BRANCHES).map((pattern) => branchName(pattern));
  if (env.GITHUB_ACTIONS === 'true') {
    const event = env.GITHUB_EVENT_NAME ?? '';
    const branch = env.GITHUB_REF?.startsWith('refs/heads/') ? env.GITHUB_REF.slice('refs/heads/'.length) : undefined;
    if (EVENTS_THAT_RUN_THE_BRANCH.includes(event) && branch !== undefined && matchesBranch(branches, branch))
      return { level: 'trusted', reason: `GitHub Actions ${event} on trusted branch ${branch}` };
    return {
      level: 'untrusted',
      reason: `GitHub Actions ${event || 'run'} on ${env.GITHUB_REF ?? 'an unknown ref'} (not a push to ${branches.join(', ')})`,
    };
  }
  if (env.GITLAB_CI === 'true') {
    const branch = env.CI_COMMIT_BRANCH;
    if (!env.CI_MERGE_REQUEST_IID && branch && matchesBranch(branches, branch))
      return { level: 'trusted', reason: `GitLab CI pipeline on trusted branch ${branch}` };
    return {
      level: 'untrusted',
      reason: `GitLab CI ${env.CI_MERGE_REQUEST_IID ? 'merge request pipeline' : `pipeline on ${branch ?? env.CI_COMMIT_REF_NAME ?? 'an unknown ref'}`}`,
    };
  }
  return { level: 'untrusted', reason: "not a CI run on a trusted branch (set STRATA_TRUST=trusted on the trusted branches' jobs)" };
}

/**
 * A branch pattern as a regular expression's source, unanchored: `*` within a path segment, `**` across, everything
 * else literal. Pure.
 */
export function branchPatternSource(pattern: string): string {
  return pattern
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
}

/** Whether `branch` matches one of the patterns (`release/*`, `hotfix/**`). */
export function matchesBranch(patterns: string[], branch: string): boolean {
  return patterns.some((pattern) => new RegExp(`^${branchPatternSource(pattern)}$`).test(branch));
}

/** The untrusted namespace: STRATA_UNTRUSTED_REGISTRY, else the option, else `<trusted>/untrusted`; null when set empty. */
export function untrustedRegistry(options: TrustOptions, trusted: string, env: NodeJS.ProcessEnv): string | null {
  const value = env.STRATA_UNTRUSTED_REGISTRY !== undefined ? env.STRATA_UNTRUSTED_REGISTRY : options.untrustedRegistry;
  if (value === undefined) return `${trusted}/untrusted`;
  return value ? value.replace(/\/+$/, '') : null;
}

/** What this run writes and reads. Pure (given the environment). */
export function buildNamespaces(options: TrustOptions, env: NodeJS.ProcessEnv = process.env): BuildNamespaces {
  const { level, reason } = trustLevel(options.trustedBranches ?? DEFAULT_TRUSTED_BRANCHES, env);
  const trusted = buildRegistry(options.registry, env);
  if (!trusted) return { level, reason, trusted: null, untrusted: null, write: null, read: [] };
  const untrusted = untrustedRegistry(options, trusted, env);
  if (level === 'trusted') return { level, reason, trusted, untrusted, write: trusted, read: [trusted] };
  return {
    level,
    reason,
    trusted,
    untrusted,
    write: untrusted,
    read: untrusted && untrusted !== trusted ? [trusted, untrusted] : [trusted],
  };
}

/** Whether `reference` (`host/path/repo@sha256:...` or `:tag`) lies in `namespace` (`host/path`). */
export function isInNamespace(namespace: string, reference: string): boolean {
  return reference.startsWith(`${namespace.replace(/\/+$/, '')}/`);
}

/** The namespace of `reference` among `namespaces` (the longest that holds it: `r/acme/untrusted` before `r/acme`). */
export function namespaceOf(namespaces: Array<string | null>, reference: string): string | undefined {
  return namespaces
    .filter((namespace): namespace is string => !!namespace)
    .sort((a, b) => b.length - a.length)
    .find((namespace) => isInNamespace(namespace, reference));
}

/**
 * Why this image's trusted repositories would fall inside the untrusted namespace (an image named `untrusted/...`
 * under the default `<registry>/untrusted`), or undefined. Pure.
 */
export function namespaceConflict(namespaces: Pick<BuildNamespaces, 'trusted' | 'untrusted'>, image: string): string | undefined {
  const { untrusted } = namespaces;
  if (!namespaces.trusted || !untrusted || untrusted === namespaces.trusted) return undefined;
  const trustedRepository = `${namespaces.trusted}/${image}/`;
  if (namespaceOf([namespaces.trusted, untrusted], trustedRepository) !== untrusted) return undefined;
  return `the image ${image} is pushed to ${trustedRepository}..., which lies inside the untrusted namespace ${untrusted}`;
}

/** The `--cache-from` / `--cache-to` entries of one build after the trust rule, or why one is refused. */
export type CacheEntries = { ok: true; cacheFrom: string[]; cacheTo: string[] } | { ok: false; problem: string };

/**
 * BuildKit trusts what a registry cache holds as much as a registry hit, so user-set caches follow the same rule:
 * `{registry}` in a `ref=` becomes, for `cacheTo`, the namespace this run writes (dropped when it writes none) and,
 * for `cacheFrom`, each namespace it reads (trusted first); an explicit `type=registry` reference must lie in a
 * namespace this run reads (`cacheFrom`) or writes (`cacheTo`). Other cache types pass through. Pure.
 */
export function trustedCacheEntries(entries: { cacheFrom: string[]; cacheTo: string[] }, namespaces: BuildNamespaces): CacheEntries {
  const known = [namespaces.trusted, namespaces.untrusted];
  const expand = (entry: string, into: Array<string | null>) =>
    entry.includes('{registry}') ? into.filter((ns): ns is string => !!ns).map((ns) => entry.split('{registry}').join(ns)) : [entry];
  const cacheFrom = entries.cacheFrom.flatMap((entry) => expand(entry, namespaces.read));
  const cacheTo = entries.cacheTo.flatMap((entry) => expand(entry, [namespaces.write]));
  if (!namespaces.trusted) return { ok: true, cacheFrom, cacheTo };
  for (const [flag, list, allowed] of [
    ['--cache-from', cacheFrom, namespaces.read],
    ['--cache-to', cacheTo, namespaces.write ? [namespaces.write] : []],
  ] as const) {
    for (const entry of list) {
      const ref = registryCacheRef(entry);
      if (ref === undefined) continue;
      const namespace = namespaceOf(known, ref);
      if (namespace && allowed.includes(namespace)) continue;
      const where = namespace
        ? `the ${namespace === namespaces.untrusted ? 'untrusted' : 'trusted'} namespace ${namespace}`
        : 'no namespace of this run';
      return {
        ok: false,
        problem: `${flag} ${ref} lies in ${where}; this ${namespaces.level} run ${flag === '--cache-to' ? `writes only ${namespaces.write ?? 'no registry'}` : `reads only ${allowed.join(', ')}`} (${namespaces.reason}), and a registry cache anyone else can write decides what is built`,
      };
    }
  }
  return { ok: true, cacheFrom, cacheTo };
}

/** The reference of a registry cache entry (`type=registry,ref=...` or a bare reference), or undefined for another type. */
function registryCacheRef(entry: string): string | undefined {
  if (!entry.includes('=')) return entry;
  const fields = Object.fromEntries(
    entry.split(',').map((field) => {
      const equals = field.indexOf('=');
      return equals === -1 ? [field, ''] : [field.slice(0, equals).trim(), field.slice(equals + 1).trim()];
    }),
  );
  return (fields.type ?? 'registry') === 'registry' ? fields.ref : undefined;
}

/** Where a reference lies for this run: a namespace it trusts, or (for a refusal that names it) a place it does not. */
export type ReferencePlace = { trusted: true; namespace: string } | { trusted: false; where: string };

/**
 * The namespace `reference` lies in when this run reads it, else where it lies (`the untrusted namespace
 * r/acme/untrusted`, `a registry this run does not know`). From the reference itself, never from what a record says.
 */
export function placeReference(namespaces: BuildNamespaces, reference: string): ReferencePlace {
  const namespace = namespaceOf([namespaces.trusted, namespaces.untrusted], reference);
  if (namespace && namespaces.read.includes(namespace)) return { trusted: true, namespace };
  if (!namespace) return { trusted: false, where: 'a registry this run does not know' };
  return { trusted: false, where: `the ${namespace === namespaces.untrusted ? 'untrusted' : 'trusted'} namespace ${namespace}` };
}
