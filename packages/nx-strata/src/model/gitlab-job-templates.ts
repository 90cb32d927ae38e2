/**
 * The hidden jobs of the GitLab child pipeline: `nx g nx-strata:ci --provider=gitlab` writes them into its job
 * templates file, and the jobs `nx-strata matrix --format gitlab` prints extend them.
 */
export const GITLAB_TEMPLATES = {
  build: '.nx-strata-build',
  publish: '.nx-strata-publish',
  summary: '.nx-strata-summary',
  nothing: '.nx-strata-nothing',
} as const;

/**
 * A YAML double-quoted scalar: JSON's string syntax is YAML's, so a value from the workspace is never read as YAML.
 * Every value the GitLab files carry goes through it. Pure.
 */
export const yamlString = (value: string): string => JSON.stringify(value);
