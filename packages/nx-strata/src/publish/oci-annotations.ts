/** What docker-publish knows about the release when it annotates a manifest list. */
export interface AnnotationFacts {
  /** The repository's web address (see `sourceUrl`). */
  source?: string;
  /** The full commit sha. */
  revision?: string;
  version?: string;
  /** RFC 3339. */
  created: string;
  /** The image, e.g. `acme/vision`: its last part is the title. */
  image: string;
  /** From the image project's package.json. */
  description?: string;
  licenses?: string;
  url?: string;
}

const OCI = 'org.opencontainers.image';

/**
 * The OCI annotations of a published manifest list (what GHCR shows, what scanners and update bots read): the
 * standard keys from the facts, then strata.json's `publish.annotations` over them (an empty value removes one). Pure.
 */
export function indexAnnotations(facts: AnnotationFacts, overrides: Record<string, string> = {}): Record<string, string> {
  const defaults: Record<string, string | undefined> = {
    [`${OCI}.created`]: facts.created,
    [`${OCI}.description`]: facts.description,
    [`${OCI}.licenses`]: facts.licenses,
    [`${OCI}.revision`]: facts.revision,
    [`${OCI}.source`]: facts.source,
    [`${OCI}.title`]: facts.image.split('/').pop(),
    [`${OCI}.url`]: facts.url ?? facts.source,
    [`${OCI}.version`]: facts.version?.replace(/^v(?=\d)/, ''),
  };
  const merged: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...defaults, ...overrides })) if (value) merged[key] = oneLine(value);
  return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * A repository's web address from CI (GitHub Actions, GitLab CI) or a git remote: `git@github.com:acme/x.git` and
 * `ssh://git@host/acme/x.git` become `https://github.com/acme/x`; credentials in an https remote are dropped (never
 * published); a local path or anything else gives undefined. Pure.
 */
export function sourceUrl(env: NodeJS.ProcessEnv, remote: string | undefined): string | undefined {
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY) return `${env.GITHUB_SERVER_URL.replace(/\/+$/, '')}/${env.GITHUB_REPOSITORY}`;
  if (env.CI_PROJECT_URL && /^https?:\/\//.test(env.CI_PROJECT_URL)) return withoutCredentials(env.CI_PROJECT_URL);
  const written = remote?.trim();
  if (!written) return undefined;
  const scp = /^[\w.-]+@([\w.-]+):(?!\/)(.+?)(?:\.git)?\/?$/.exec(written);
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  const url = /^(?:ssh|git|https?):\/\/(?:[^@/]*@)?([\w.-]+)(?::\d+)?\/(.+?)(?:\.git)?\/?$/.exec(written);
  if (url) return `https://${url[1]}/${url[2]}`;
  return undefined;
}

function withoutCredentials(url: string): string {
  return url.replace(/^(https?:\/\/)[^@/]*@/, '$1').replace(/\.git\/?$/, '');
}

/** Annotation values are single lines: control characters become spaces, and the text is bounded. */
function oneLine(value: string): string {
  return (
    value
      // eslint-disable-next-line no-control-regex -- control characters are what this removes
      .replace(/[\u0000-\u001f\u007f]+/g, ' ')
      .trim()
      .slice(0, 4096)
  );
}
