/** Nx Release's default tag patterns: a fixed group's `v{version}`, an independent project's `{projectName}@{version}`. */
const DEFAULT_PATTERNS = ['v{version}', '{projectName}@{version}'];

const SEMVER = '(?:0|[1-9]\\d*)\\.(?:0|[1-9]\\d*)\\.(?:0|[1-9]\\d*)(?:-[0-9A-Za-z.-]+)?(?:\\+[0-9A-Za-z.-]+)?';

interface ReleaseTagConfig {
  releaseTagPattern?: string;
  releaseTag?: { pattern?: string };
}

/** What nx.json's `release` may hold that says how release tags are named (Nx 22 to 24 spellings). */
export interface ReleaseConfig extends ReleaseTagConfig {
  groups?: Record<string, ReleaseTagConfig & { projects?: string | string[] }>;
}

/** The tag patterns that may name a release of `project`: the configured ones (root and groups), then Nx's defaults. */
export function releaseTagPatterns(release: ReleaseConfig | undefined): string[] {
  const configured = [release, ...Object.values(release?.groups ?? {})]
    .map((config) => config?.releaseTag?.pattern ?? config?.releaseTagPattern)
    .filter((pattern): pattern is string => typeof pattern === 'string' && pattern.includes('{version}'));
  return [...new Set([...configured, ...DEFAULT_PATTERNS])];
}

/**
 * The version a release tag at HEAD gives `project`, by the first pattern that matches one of `tags`: what a standalone
 * `nx release publish` (no version handed over by `nx release`) publishes. Pure.
 */
export function versionFromTags(tags: string[], patterns: string[], project: string): string | undefined {
  for (const pattern of patterns) {
    const source = pattern
      .split(/(\{version\}|\{projectName\}|\{releaseGroupName\})/)
      .map((part) =>
        part === '{version}'
          ? `(${SEMVER})`
          : part === '{projectName}'
            ? escape(project)
            : part === '{releaseGroupName}'
              ? '[^@/]+'
              : escape(part),
      )
      .join('');
    const matcher = new RegExp(`^${source}$`);
    for (const tag of tags) {
      const match = matcher.exec(tag);
      if (match) return match[1];
    }
  }
  return undefined;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
