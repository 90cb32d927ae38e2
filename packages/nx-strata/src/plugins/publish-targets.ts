import type { TargetConfiguration } from 'nx/src/devkit-exports';
import { layersAtImageRepository, publishedLayers, publishSettings } from '../model/published-layers';
import { checkPublishedReferences } from './published-references';
import type { DockerPublishExecutorOptions } from '../executors/docker-publish/schema';
import { defaultTagTemplates } from '../publish/tag-templates';
import type { ImageFamily } from '../model/image-family';
import { DOCKER_LINT, NX_RELEASE_PUBLISH, publishRecordPath, publishTargetName } from '../model/target-names';
import { unionInputs, type NxInput } from './nx-inputs';
import { testTargetOf } from './test-targets';
import { scanTargetOf } from './scan-targets';
import { trustOptions, type NormalizedPluginOptions } from '../config/plugin-options';

/**
 * `docker-publish--<variant>` per variant (just `docker-publish` without variants) and, with variants, an aggregate
 * `docker-publish`. Publishing is registry work only, so it is never cached: a tag like `latest` must be written
 * every time, not restored from a cache.
 */
export function buildPublishTargets(
  family: ImageFamily,
  layerInputs: Map<string, NxInput[]>,
  options: NormalizedPluginOptions,
): Record<string, TargetConfiguration> {
  checkPublishedReferences(family);
  const targets: Record<string, TargetConfiguration> = {};
  const variants = [...new Set(family.tasks.map((task) => task.variant))];
  const explicit = family.tasks[0].explicitVariant;
  for (const variant of variants) {
    const tasks = family.tasks.filter((task) => task.variant === variant);
    const publish = publishSettings(family, variant);
    const layers = publishedLayers(family, variant);
    const published = tasks.filter((task) => layers.includes(task.layer));
    const atImage = layersAtImageRepository(family, variant);
    const targetName = publishTargetName(options, explicit ? variant : undefined);
    const publishOptions: DockerPublishExecutorOptions = {
      configFile: family.configFile,
      image: family.config.image,
      variant,
      ...(explicit ? {} : { explicitVariant: false }),
      layers: layers.map((layer) => ({
        layer,
        top: atImage.includes(layer),
        platforms: published
          .filter((task) => task.layer === layer)
          .map((task) => ({ platform: task.platform, record: family.recordOf(task), target: task.targetName })),
      })),
      tags: publish.tags ?? defaultTagTemplates(explicit),
      record: publishRecordPath(options.recordsDir, tasks[0].projectRoot, variant),
    };
    if (publish.registries) publishOptions.registries = publish.registries;
    if (publish.annotations) publishOptions.annotations = publish.annotations;
    if (publish.sign) publishOptions.sign = publish.sign;
    Object.assign(publishOptions, trustOptions(options));
    targets[targetName] = {
      executor: 'nx-strata:docker-publish',
      cache: false,
      inputs: unionInputs([...published.map((task) => layerInputs.get(task.targetName)!), [{ env: 'STRATA_VERSION' }]]),
      outputs: [`{workspaceRoot}/${publishOptions.record}`],
      // The builds, and the verification of the same layers and platforms (tests, scans, lint): a failed check stops
      // the publish (Nx skips it) before any registry is touched.
      dependsOn: [
        ...published.map((task) => task.targetName),
        ...published
          .flatMap((task) => [testTargetOf(family, task), scanTargetOf(family, task)])
          .filter((name): name is string => name !== undefined),
        DOCKER_LINT,
        ...options.publishDependsOn,
      ],
      options: publishOptions,
      metadata: {
        description: `Assembles ${layers.join(', ')} of ${family.config.image}${explicit ? ` (variant ${variant})` : ''} for ${[...new Set(published.map((task) => task.platform))].join(', ')} into multi-arch manifest lists and copies them to every registry; builds nothing itself.`,
        technologies: ['docker'],
        help: { command: 'docker buildx imagetools create --help', example: { options: { dryRun: true, version: '1.2.3' } } },
      },
    };
  }
  const perVariant = variants.map((variant) => publishTargetName(options, explicit ? variant : undefined));
  // `nx release publish` runs this: the docker-publish targets' settings with nx release's version, behind their gates.
  targets[NX_RELEASE_PUBLISH] = {
    executor: 'nx-strata:release-publish',
    cache: false,
    dependsOn: [...new Set(perVariant.flatMap((name) => targets[name].dependsOn ?? []))],
    options: { publishTargets: perVariant },
    metadata: {
      description: `nx release publish: publishes ${family.config.image}${explicit ? ` (every variant)` : ''} tagged with the version nx release gave it; builds nothing itself.`,
      technologies: ['docker'],
      help: { command: 'npx nx release publish --help', example: { options: { dryRun: true } } },
    },
  };
  if (explicit) {
    targets[options.publishTargetName] = {
      executor: 'nx:noop',
      cache: false,
      inputs: unionInputs(perVariant.map((name) => targets[name].inputs as NxInput[])),
      dependsOn: perVariant,
      metadata: {
        description: `Publishes every variant of ${family.config.image}.`,
        technologies: ['docker'],
        help: { command: 'npx nx-strata inspect --help', example: {} },
      },
    };
  }
  return targets;
}
