import { platformSlug } from '../config/platforms';

export interface TagValues {
  version?: string;
  sha?: string;
  variant: string;
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
        if (!values.version)
          throw new TagTemplateError(
            `tag "${template}" needs {version}: pass --version=<v>, set STRATA_VERSION, or give the project a package.json version (nx release writes it)`,
          );
        return values.version.replace(/^v(?=\d)/, '');
      case 'sha':
        if (!values.sha) throw new TagTemplateError(`tag "${template}" needs {sha}, and this is not a git checkout with a commit`);
        return values.sha;
      case 'variant':
        return values.variant;
      case 'platform':
        if (!platform) throw new TagTemplateError(`tag "${template}" uses {platform} outside a per-platform publish`);
        return platformSlug(platform);
      default:
        throw new TagTemplateError(`tag "${template}" uses {${token}}; tag templates know {version}, {sha}, {variant} and {platform}`);
    }
  });
  if (!VALID_TAG.test(tag))
    throw new TagTemplateError(
      `tag "${template}" renders to "${tag}", which is not a valid image tag ([A-Za-z0-9_.-], at most 128, not starting with . or -)`,
    );
  return tag;
}

/** The default tags: `{sha}` and `latest`, suffixed with the variant when the family declares variants. */
export function defaultTagTemplates(explicitVariant: boolean): string[] {
  return explicitVariant ? ['{sha}-{variant}', 'latest-{variant}'] : ['{sha}', 'latest'];
}
