import { ciValueProblem } from '../../config/ci-values';
import type { PublishRegistry } from '../../config/strata-config';
import { tagPrefixOf, type WorkflowPublishing } from '../init/lib/workflow-publishing';

/** One image project as the pipeline publishes it: its Nx name, its image and the registries strata.json names. */
export interface PublishedImage {
  project: string;
  image: string;
  registries: PublishRegistry[];
}

/** A registry the publish jobs log in to besides the trusted namespace, with the credentials as expressions. */
export interface PublishLogin {
  host: string;
  username: string;
  password: string;
  /** Where the credentials come from: the repository's own login step, or the names the pipeline asks for. */
  source: string;
  /** The stem of the CI variables a GitLab pipeline reads for it: `<stem>_USERNAME`, `<stem>_TOKEN`, `<stem>_REGISTRY`. */
  variable: string;
}

/** When and where the generated pipeline publishes (github-workflow.ts writes it). */
export interface PipelinePublishing {
  /** Projects published on release tags (the version is the tag); the others publish on pushes to the trusted branches. */
  onTags: { projects: string[]; patterns: string[]; release: boolean; prefix: string } | undefined;
  /** Projects published on pushes to the trusted branches. */
  onPushes: string[];
  logins: PublishLogin[];
  /** A login writes with GITHUB_TOKEN (GHCR): the publish jobs need `packages: write`. */
  packagesWrite: boolean;
  /** What the generator says: where each choice came from, and what it could not follow. */
  notes: string[];
}

/** A credential the workflow may hold in a `with:` value: a secret, a variable or the actor, nothing else. */
const CREDENTIAL = /^\$\{\{\s*(secrets\.[A-Za-z_][A-Za-z0-9_]*|vars\.[A-Za-z_][A-Za-z0-9_]*|github\.actor)\s*\}\}$/;
const HOST = /^[a-z0-9][a-z0-9.-]*(:\d+)?$/;

/**
 * How the pipeline publishes, from how the repository publishes today: an image that a workflow's
 * docker/metadata-action names and that workflow runs on tag pushes or releases is published on the same tags, with
 * the tag as its version; the rest on pushes to the trusted branches, as before. `publishOn` decides instead when it is
 * `tag` or `branch`. Every publish registry but the trusted one gets a login, with the repository's own secrets where
 * its workflow logs in to that host. Pure.
 */
export function pipelinePublishing(input: {
  images: PublishedImage[];
  workflows: Array<{ file: string; publishing: WorkflowPublishing }>;
  trustedHost: string;
  publishOn: 'auto' | 'tag' | 'branch';
}): PipelinePublishing {
  const notes: string[] = [];
  const onTags: string[] = [];
  const patterns: string[] = [];
  let release = false;
  for (const image of input.images) {
    if (input.publishOn === 'branch') continue;
    const triggers = input.workflows
      .filter((workflow) => workflow.publishing.steps.some((step) => step.images.some((reference) => reference.repository === image.image)))
      .map((workflow) => workflow.publishing.triggers)
      .filter((triggers) => triggers.tags.length > 0 || triggers.release);
    if (input.publishOn === 'auto' && triggers.length === 0) continue;
    onTags.push(image.project);
    for (const trigger of triggers) {
      release ||= trigger.release;
      for (const pattern of trigger.tags) {
        const problem = ciValueProblem('tag pattern', pattern.replace(/\*+/g, 'x'));
        if (problem) notes.push(`the tag pattern ${JSON.stringify(pattern)} (${trigger.source}) is left out: ${problem}`);
        else if (!patterns.includes(pattern)) patterns.push(pattern);
      }
      notes.push(
        `${image.project} publishes on ${[...(trigger.tags.length ? [`tag pushes ${trigger.tags.join(', ')}`] : []), ...(trigger.release ? ['published releases'] : [])].join(' and ')}, as ${trigger.source} does`,
      );
    }
  }
  if (onTags.length && patterns.length === 0 && !release) patterns.push('v*');
  const logins = registryLogins(input.images, input.workflows, input.trustedHost, notes);
  return {
    onTags: onTags.length ? { projects: onTags, patterns, release, prefix: tagPrefixOf(patterns) ?? '' } : undefined,
    onPushes: input.images.map((image) => image.project).filter((project) => !onTags.includes(project)),
    logins,
    packagesWrite: logins.some((login) => login.password.includes('GITHUB_TOKEN')),
    notes,
  };
}

/** A login for each publish registry host but the trusted one, with credentials the repository already uses there. */
function registryLogins(
  images: PublishedImage[],
  workflows: Array<{ file: string; publishing: WorkflowPublishing }>,
  trustedHost: string,
  notes: string[],
): PublishLogin[] {
  const hosts = new Set<string>();
  for (const image of images)
    for (const entry of image.registries) {
      const host = (typeof entry === 'string' ? entry : entry.url).split('/')[0];
      if (HOST.test(host)) hosts.add(host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host);
      else
        notes.push(
          `the publish registry ${JSON.stringify(host.slice(0, 80))} of ${image.project} gets no login: it is not a plain host name`,
        );
    }
  const logins: PublishLogin[] = [];
  for (const host of hosts) {
    if (host === trustedHost) {
      notes.push(
        `${host} is also the trusted namespace's host: the publish logs in there with STRATA_TRUSTED_REGISTRY_TOKEN, which must write the published repositories too`,
      );
      continue;
    }
    const own = workflows
      .flatMap((workflow) => workflow.publishing.logins)
      .find((login) => login.registry === host && CREDENTIAL.test(login.username ?? '') && CREDENTIAL.test(login.password ?? ''));
    const name = variableStem(host);
    if (own) {
      logins.push({ host, username: own.username!, password: own.password!, source: `the login of ${own.source}`, variable: name });
      continue;
    }
    const [username, password] =
      host === 'ghcr.io'
        ? ['${{ github.actor }}', '${{ secrets.GITHUB_TOKEN }}']
        : [`\${{ vars.${name}_USERNAME }}`, `\${{ secrets.${name}_TOKEN }}`];
    logins.push({
      host,
      username,
      password,
      source: host === 'ghcr.io' ? "GitHub's token" : `variable ${name}_USERNAME and secret ${name}_TOKEN`,
      variable: name,
    });
  }
  return logins;
}

/**
 * The stem of a registry's credential variables: `DOCKERHUB` for Docker Hub, else the host in capitals with `_` for
 * the rest (`quay.io` → `QUAY_IO`), `REGISTRY_` before one that would start with a digit (`127.0.0.1:5000`): a name
 * a shell, GitHub and GitLab all take. Pure.
 */
export function variableStem(host: string): string {
  if (host === 'docker.io') return 'DOCKERHUB';
  const name = host.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  return /^[A-Z]/.test(name) ? name : `REGISTRY_${name}`;
}
