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
