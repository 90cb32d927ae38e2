import { posix } from 'node:path';
import type { TargetConfiguration } from 'nx/src/devkit-exports';
import type { NormalizedPluginOptions } from '../config/plugin-options';
import type { DockerLintExecutorOptions } from '../executors/docker-lint/schema';
import { effectiveSeverities } from '../lint/lint-rules';
import type { LintUnit } from '../lint/lint-unit';
import type { ImageFamily } from '../model/image-family';
import type { LayerTask } from '../model/layer-task';
import { isTestedLayer, publishedLayers, topLayers } from '../model/published-layers';
import { DOCKER_LINT, lintSarifPath } from '../model/target-names';
import { DRY_RUN_INPUT } from '../config/dry-run';

/**
 * `docker-lint`: the Dockerfile policy over every layer of the image, each distinct Dockerfile + build args + role
 * checked once. No build needed; cached on the Dockerfiles and the rule settings (target options); its SARIF log is a
 * declared output, so a cache hit restores it.
 */
export function buildLintTarget(family: ImageFamily, options: NormalizedPluginOptions): Record<string, TargetConfiguration> {
  if (family.tasks.length === 0) return {};
  const units = new Map<string, LintUnit>();
  for (const task of family.tasks) {
    const unit: LintUnit = {
      ...buildOf(family, task),
      final: runsAsContainer(family, task),
      layers: [],
      severities: effectiveSeverities(family.config.lint?.rules, family.config.layers[task.layer]?.lint?.rules),
      allowImages: family.config.lint?.allowImages ?? [],
    };
    const key = JSON.stringify({ ...unit, layers: undefined });
    if (!units.has(key)) units.set(key, unit);
    units.get(key)!.layers.push(`${task.layer} (${task.explicitVariant ? `${task.variant}, ` : ''}${task.platform})`);
  }
  const dockerfiles = [...new Set(family.tasks.map((task) => task.dockerfile))].sort();
  const lintOptions: DockerLintExecutorOptions = {
    image: family.config.image,
    sarif: lintSarifPath(options.recordsDir, posix.dirname(family.configFile)),
    units: [...units.values()],
  };
  return {
    [DOCKER_LINT]: {
      executor: 'nx-strata:docker-lint',
      cache: true,
      inputs: [`{workspaceRoot}/${family.configFile}`, ...dockerfiles.map((file) => `{workspaceRoot}/${file}`), DRY_RUN_INPUT],
      outputs: ['{options.sarif}'],
      options: lintOptions,
      metadata: {
        description: `Checks the Dockerfiles of ${family.config.image} against nx-strata's policy (non-root user, health check, pinned bases, no secrets in ENV/ARG, package caches, ADD checksums) and writes SARIF for code scanning.`,
        technologies: ['docker'],
        help: { command: 'npx nx-strata inspect', example: { options: { sarif: 'lint.sarif' } } },
      },
    },
  };
}

/**
 * Whether the runtime rules (non-root user, health check) apply: a published or tested layer that no other layer of
 * its variant builds on. A layer others build on (base, ml) runs as root on purpose, so its children can install.
 */
function runsAsContainer(family: ImageFamily, task: LayerTask): boolean {
  const variantTasks = family.tasks.filter((other) => other.variant === task.variant);
  if (!topLayers(variantTasks).includes(task.layer)) return false;
  return publishedLayers(family, task.variant).includes(task.layer) || isTestedLayer(family, task);
}

/** How a layer task builds its Dockerfile, its parent's included (for an inherited USER or HEALTHCHECK). */
function buildOf(family: ImageFamily, task: LayerTask): NonNullable<LintUnit['parent']> {
  const parent = family.parentOf(task);
  return {
    dockerfile: task.dockerfile,
    args: task.args,
    ...(task.target ? { target: task.target } : {}),
    ...(parent ? { parentArg: task.parentArg, parent: buildOf(family, parent) } : {}),
  };
}
