import type { PublishConfig } from '../../../config/strata-config';
import { withoutRegistryHost } from './find-chains';
import { mostNamed } from './most-named';
import type { WorkflowPublishing } from './workflow-publishing';
import type { YamlDockerBuild } from './yaml-docker-builds';

/** A workflow file read for how it publishes (workflow-publishing.ts). */
export interface ReadWorkflow {
  file: string;
  publishing: WorkflowPublishing;
}

/** What init proposes for one image's publishing, the lines that say where it came from, and what it could not map. */
export interface ProposedPublishing {
  /** The image name the metadata-action steps give, when no build tag names one (`tags: ${{ steps.meta.outputs.tags }}`). */
  image?: { name: string; source: string };
  publish?: Pick<PublishConfig, 'registries' | 'tags'>;
  sources: string[];
  gaps: string[];
}

const LOCAL_HOSTS = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

/**
 * The registries and tag templates an image is published with today, read from the workflows that build its
 * Dockerfiles: the docker/metadata-action steps of the same jobs (their images and tag rules), and the plain image
 * names of the builds that push (build-push-action `tags`, compose `image:`). `image` is the name a build tag gives,
 * if any; `variants` whether the family has variants (each tag then carries `-{variant}`, as the default tags do). Pure.
 */
export function proposePublishing(input: {
  image: string | undefined;
  builds: YamlDockerBuild[];
  workflows: ReadWorkflow[];
  variants: boolean;
}): ProposedPublishing {
  const jobs = new Set(input.builds.flatMap((build) => (build.workflow ? [`${build.workflow.file}\n${build.workflow.job}`] : [])));
  const steps = input.workflows.flatMap((workflow) => workflow.publishing.steps.filter((step) => jobs.has(`${step.file}\n${step.job}`)));
  const sources: string[] = [];
  const gaps: string[] = [...new Set(steps.flatMap((step) => step.unmapped))];
  const named = input.image
    ? undefined
    : mostNamed(steps.flatMap((step) => step.images.map((reference) => ({ repository: reference.repository, source: step.source }))));
  const image = input.image ?? named?.repository;
  if (named) sources.push(`image ${named.repository} ← ${named.source} (metadata-action images)`);
  if (!image) return { sources, gaps };

  const registries = new Map<string, string>();
  for (const step of steps)
    for (const reference of step.images) {
      if (reference.repository === image) {
        if (!registries.has(reference.host)) registries.set(reference.host, `${step.source} (metadata-action images)`);
      } else
        gaps.push(
          `${step.source}: image ${reference.host}/${reference.repository}: nx-strata publishes an image under one name (${image}) to every registry; publish it as ${reference.host}/${image}, or copy it there after the publish`,
        );
    }
  for (const build of input.builds) {
    if (!build.published) continue;
    for (const tag of build.tags) {
      const repository = tag.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
      const host = repository.split('/')[0];
      const explicitHost = repository.includes('/') && (host.includes('.') || host.includes(':') || host === 'localhost');
      // A compose file's local registry is a developer's, not where the image ships.
      if (!explicitHost || (build.name !== undefined && LOCAL_HOSTS.test(host)) || repository.includes('$')) continue;
      if (withoutRegistryHost(repository) === image && !registries.has(host)) registries.set(host, `${build.source} (tag ${tag})`);
    }
  }

  const templates: string[] = [];
  for (const step of steps) for (const tag of step.tags) if (!templates.includes(tag)) templates.push(tag);
  const tags = input.variants ? templates.map((tag) => (tag.includes('{variant}') ? tag : `${tag}-{variant}`)) : templates;

  const publish: ProposedPublishing['publish'] = {
    ...(registries.size ? { registries: [...registries.keys()] } : {}),
    ...(tags.length ? { tags } : {}),
  };
  for (const [host, source] of registries) sources.push(`publish.registries ${host} ← ${source}`);
  if (tags.length)
    sources.push(
      `publish.tags ${tags.join(', ')} ← ${[...new Set(steps.filter((step) => step.tags.length).map((step) => step.source))].join(', ')} (metadata-action tags${input.variants ? '; -{variant} added, as the family has variants' : ''})`,
    );
  for (const workflow of input.workflows) {
    const { triggers } = workflow.publishing;
    if (!steps.some((step) => step.file === workflow.file)) continue;
    const releases = [
      ...(triggers.tags.length ? [`tag pushes ${triggers.tags.join(', ')}`] : []),
      ...(triggers.release ? ['published releases'] : []),
    ];
    if (releases.length)
      sources.push(
        `published on ${releases.join(' and ')} ← ${triggers.source} (\`nx g nx-strata:ci\` publishes it on the same, the tag's version as {version})`,
      );
    else if (triggers.branches.length)
      sources.push(
        `published on pushes to ${triggers.branches.join(', ')} ← ${triggers.source} (\`nx g nx-strata:ci\` publishes it on pushes to the trusted branches)`,
      );
  }
  return {
    ...(named ? { image: { name: named.repository, source: named.source } } : {}),
    ...(Object.keys(publish).length ? { publish } : {}),
    sources,
    gaps: [...new Set(gaps)],
  };
}
