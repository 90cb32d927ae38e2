import { platformSlug } from '../config/platforms';
import { TAG_TOKENS_TEXT } from '../config/tag-tokens';

export interface TagValues {
  version?: string;
  sha?: string;
  /** The branch being built, as written (`feature/login`); sanitised when rendered. */
  branch?: string;
  /** The publish's date, `YYYYMMDD` (UTC). */
  date?: string;
  variant: string;
}

/** A semantic version's parts (a leading `v` allowed; build metadata after `+` ignored), or undefined. */
export function parseSemver(version: string): { major: number; minor: number; patch: number; prerelease?: string } | undefined {
  const match = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$/.exec(version);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]), ...(match[4] ? { prerelease: match[4] } : {}) };
}

/**
 * Whether a template names a tag that moves from release to release: `latest` (as a word of the template), or a
 * version part without the whole version (`{major}`, `{major}.{minor}`). docker/metadata-action's rule: a pre-release
 * moves none of them; it gets only the tags that carry its whole version.
 */
export function movesWithReleases(template: string): boolean {
  if (/(^|[^A-Za-z0-9])latest($|[^A-Za-z0-9])/.test(template.replace(/\{\w+\}/g, '-'))) return true;
  return /\{(major|minor|patch)\}/.test(template) && !template.includes('{version}');
}

/** The templates a publish of `version` renders, and those it leaves alone because `version` is a pre-release. */
export function templatesForVersion(templates: string[], version: string | undefined): { kept: string[]; skipped: string[] } {
  const prerelease = version !== undefined && parseSemver(version)?.prerelease !== undefined;
  if (!prerelease) return { kept: templates, skipped: [] };
  return { kept: templates.filter((template) => !movesWithReleases(template)), skipped: templates.filter(movesWithReleases) };
}

/** A branch name as a tag, as docker/metadata-action makes it: runs of other characters become `-` (`my/branch` → `my-branch`). */
export function sanitizeBranch(branch: string): string {
  return branch
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 128);
}

/** Docker's rule for a tag: up to 128 of [A-Za-z0-9_.-], not starting with `.` or `-`. */
const VALID_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export class TagTemplateError extends Error {
  override name = 'TagTemplateError';
}

/** Whether a template produces one tag per platform. */
export function isPerPlatform(template: string): boolean {
  return template.includes('{platform}');
}

/** Renders a tag template. Throws TagTemplateError naming the template and what is missing. */
export function renderTag(template: string, values: TagValues, platform?: string): string {
  const tag = template.replace(/\{(\w+)\}/g, (_match, token: string) => {
    switch (token) {
      case 'version':
        return needVersion(template, values, token).replace(/^v(?=\d)/, '');
      case 'major':
      case 'minor':
      case 'patch': {
        const version = needVersion(template, values, token);
        const parts = parseSemver(version);
        if (!parts)
          throw new TagTemplateError(
            `tag "${template}" needs {${token}}, and version "${version}" is not a semantic version (major.minor.patch)`,
          );
        return String(parts[token]);
      }
      case 'branch': {
        const branch = values.branch ? sanitizeBranch(values.branch) : '';
        if (!branch)
          throw new TagTemplateError(
            `tag "${template}" needs {branch}, and this checkout is on no branch (a detached HEAD outside CI); set GITHUB_REF_NAME or CI_COMMIT_REF_NAME, or drop {branch}`,
          );
        return branch;
      }
      case 'date':
        if (!values.date) throw new TagTemplateError(`tag "${template}" needs {date}`);
        return values.date;
      case 'sha':
        if (!values.sha) throw new TagTemplateError(`tag "${template}" needs {sha}, and this is not a git checkout with a commit`);
        return values.sha;
      case 'variant':
        return values.variant;
      case 'platform':
        if (!platform) throw new TagTemplateError(`tag "${template}" uses {platform} outside a per-platform publish`);
        return platformSlug(platform);
      default:
        throw new TagTemplateError(`tag "${template}" uses {${token}}; tag templates know ${TAG_TOKENS_TEXT}`);
    }
  });
  if (!VALID_TAG.test(tag))
    throw new TagTemplateError(
      `tag "${template}" renders to "${tag}", which is not a valid image tag ([A-Za-z0-9_.-], at most 128, not starting with . or -)`,
    );
  return tag;
}

function needVersion(template: string, values: TagValues, token: string): string {
  if (!values.version)
    throw new TagTemplateError(
      `tag "${template}" needs {${token}}: pass --version=<v>, set STRATA_VERSION, or give the project a package.json version (nx release writes it)`,
    );
  return values.version;
}

/**
 * The branch a CI run builds, from its environment: a pull or merge request's source branch, else the pushed branch
 * (GitHub Actions, GitLab CI). Undefined outside CI or for a tag push: the caller asks git.
 */
export function ciBranch(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return (
    env.GITHUB_HEAD_REF ||
    (env.GITHUB_REF_TYPE === 'branch' ? env.GITHUB_REF_NAME : undefined) ||
    env.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME ||
    env.CI_COMMIT_BRANCH ||
    undefined
  );
}

/** When a publish happens: `SOURCE_DATE_EPOCH` (seconds) when set, for reproducible runs, else now. */
export function publishTime(env: NodeJS.ProcessEnv = process.env, now = new Date()): Date {
  return env.SOURCE_DATE_EPOCH !== undefined && /^\d+$/.test(env.SOURCE_DATE_EPOCH) ? new Date(Number(env.SOURCE_DATE_EPOCH) * 1000) : now;
}

/** `YYYYMMDD` in UTC of the publish time (see publishTime). */
export function tagDate(env: NodeJS.ProcessEnv = process.env, now = new Date()): string {
  return publishTime(env, now).toISOString().slice(0, 10).replace(/-/g, '');
}

/** The default tags: `{sha}` and `latest`, suffixed with the variant when the family declares variants. */
export function defaultTagTemplates(explicitVariant: boolean): string[] {
  return explicitVariant ? ['{sha}-{variant}', 'latest-{variant}'] : ['{sha}', 'latest'];
}
