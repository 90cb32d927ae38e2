import { posix } from 'node:path';
import { parsePlatform } from '../config/platforms';
import { StrataInputError } from '../config/strata-error';
import type { DockerfileModel, Stage } from './dockerfile-model';
import { expandVariables, referencesVariable } from './expand-variables';

export interface AnalyzeOptions {
  /** Build args as passed with `--build-arg`. */
  buildArgs: Record<string, string>;
  /** `--target`; undefined builds the last stage. */
  target?: string;
  /** Target platform, e.g. `linux/arm64` (sets TARGETPLATFORM, TARGETOS, TARGETARCH, TARGETVARIANT). */
  platform: string;
  /** The ARG that carries the parent image, to tell the parent apart from external images. */
  parentArg?: string;
}

/** A path the build reads from its context, relative to the context root, after ARG/ENV expansion. */
export interface ContextSource {
  path: string;
  line: number;
  instruction: 'COPY' | 'ADD' | 'RUN --mount';
}

export interface ExternalImage {
  /** The image reference after expansion, e.g. `python:3.11-slim`. */
  ref: string;
  line: number;
  /** Pinned by digest (`@sha256:`). */
  pinned: boolean;
}

export interface DockerfileAnalysis {
  contextSources: ContextSource[];
  /** Images from outside this Dockerfile that reachable stages start from or copy from. */
  externalImages: ExternalImage[];
  /**
   * The external image the built stage starts from (following `FROM <stage>`): what the image's base annotations name.
   * Undefined when it starts from the parent layer or `scratch`.
   */
  baseImage?: ExternalImage;
  warnings: string[];
}

const PARENT_PLACEHOLDER = 'nx-strata-parent-image';
const URL_SOURCE = /^(https?:\/\/|git@|git:\/\/|ssh:\/\/)/i;

/**
 * Works out which context paths a build of `options.target` reads: COPY/ADD sources and bind-mount sources
 * in the stages reachable from the target, with ARG and ENV references expanded using the build args.
 */
export function analyzeDockerfile(model: DockerfileModel, options: AnalyzeOptions): DockerfileAnalysis {
  const builtins = platformArgs(options.platform);
  const globalScope = new Map<string, string>(builtins);
  for (const arg of model.globalArgs) {
    const value =
      options.buildArgs[arg.name] ?? (arg.defaultValue !== undefined ? expandVariables(arg.defaultValue, globalScope) : undefined);
    if (value !== undefined) globalScope.set(arg.name, value);
  }
  if (options.parentArg && !globalScope.get(options.parentArg)) {
    // Before building, the parent image is not known yet: it arrives as a build arg. Stand in for it.
    globalScope.set(options.parentArg, PARENT_PLACEHOLDER);
  }
  const globalDefaults = new Map(model.globalArgs.map((arg) => [arg.name, globalScope.get(arg.name)]));

  const stageIndexByName = new Map<string, number>();
  const walked: WalkedStage[] = [];
  for (const stage of model.stages) {
    walked.push(walkStage(stage, { model, options, globalScope, globalDefaults, builtins, stageIndexByName, walked }));
    if (stage.name) stageIndexByName.set(stage.name, stage.index);
  }

  const targetIndex = resolveTarget(model, options.target);
  const reachable = new Set<number>();
  const visit = (index: number) => {
    if (reachable.has(index)) return;
    reachable.add(index);
    walked[index].stageDependencies.forEach(visit);
  };
  visit(targetIndex);

  const parentArg = options.parentArg;
  const ordered = [...reachable].sort((a, b) => a - b);
  const analysis: DockerfileAnalysis = {
    contextSources: ordered.flatMap((index) => walked[index].contextSources),
    externalImages: ordered.flatMap((index) => walked[index].externalImages),
    baseImage: walked[rootStageOf(walked, targetIndex)].baseImage,
    warnings: ordered.flatMap((index) => walked[index].warnings),
  };
  if (parentArg) {
    // The parent image is not external: it is this layer's parent, passed in as a build arg.
    const parentFromLines = new Set(
      ordered.filter((i) => referencesVariable(model.stages[i].from, parentArg)).map((i) => model.stages[i].line),
    );
    analysis.externalImages = analysis.externalImages.filter((image) => !parentFromLines.has(image.line));
    if (analysis.baseImage && parentFromLines.has(analysis.baseImage.line)) delete analysis.baseImage;
  }
  // One entry per image, at the first line that names it (several FROM lines often share a base).
  const seen = new Set<string>();
  analysis.externalImages = analysis.externalImages.filter((image) => !seen.has(image.ref) && seen.add(image.ref));
  return analysis;
}

/** The stage a chain of `FROM <stage>` from `index` ends at (stages only name earlier ones, so it ends). */
function rootStageOf(walked: WalkedStage[], index: number): number {
  let current = index;
  while (walked[current].baseStage !== undefined) current = walked[current].baseStage!;
  return current;
}

interface WalkContext {
  model: DockerfileModel;
  options: AnalyzeOptions;
  globalScope: Map<string, string>;
  globalDefaults: Map<string, string | undefined>;
  builtins: Map<string, string>;
  /** Stages declared before the one being walked, by name and as walked. */
  stageIndexByName: Map<string, number>;
  walked: WalkedStage[];
}

interface WalkedStage {
  /** The earlier stage this one starts from (`FROM <stage>`), if any. */
  baseStage?: number;
  /** The external image this one starts from (`FROM <image>`), if any. */
  baseImage?: ExternalImage;
  stageDependencies: number[];
  contextSources: ContextSource[];
  externalImages: ExternalImage[];
  warnings: string[];
  env: Map<string, string>;
}

function walkStage(stage: Stage, context: WalkContext): WalkedStage {
  const { model, options, globalScope, globalDefaults, builtins, stageIndexByName, walked } = context;
  const result: WalkedStage = { stageDependencies: [], contextSources: [], externalImages: [], warnings: [], env: new Map() };
  const base = expandVariables(stage.from, globalScope).trim();
  const baseStage = stageIndexByName.get(base.toLowerCase());
  if (baseStage !== undefined) {
    result.baseStage = baseStage;
    result.stageDependencies.push(baseStage);
    result.env = new Map(walked[baseStage].env);
  } else if (base === '') {
    throw new StrataInputError({
      file: model.file,
      line: stage.line,
      problem: `FROM ${stage.from} expands to an empty image name`,
      hint: 'give the ARG a default or pass it as a build arg (a child layer gets its parent through parentArg)',
    });
  } else if (base.toLowerCase() !== 'scratch') {
    result.baseImage = { ref: base, line: stage.line, pinned: base.includes('@sha256:') };
    result.externalImages.push(result.baseImage);
  }

  const args = new Map<string, string>();
  const scope = () => new Map([...args, ...result.env]);
  const addSource = (raw: string, line: number, instruction: ContextSource['instruction']) => {
    const expanded = expandVariables(raw, scope());
    const normalized = normalizeContextPath(expanded);
    if (normalized.clamped)
      result.warnings.push(
        `${model.file}:${line}: ${instruction} source "${raw}" leaves the build context; BuildKit reads "${normalized.path}" instead`,
      );
    result.contextSources.push({ path: normalized.path, line, instruction });
  };
  const dependOnStageOrImage = (reference: string, line: number) => {
    const expanded = expandVariables(reference, scope()).trim();
    const byName = stageIndexByName.get(expanded.toLowerCase());
    const byIndex = /^\d+$/.test(expanded) && Number(expanded) < stage.index ? Number(expanded) : undefined;
    const dependency = byName ?? byIndex;
    if (dependency !== undefined) result.stageDependencies.push(dependency);
    else result.externalImages.push({ ref: expanded, line, pinned: expanded.includes('@sha256:') });
  };

  for (const instruction of stage.instructions) {
    switch (instruction.kind) {
      case 'arg':
        for (const declaration of instruction.declarations) {
          const value =
            options.buildArgs[declaration.name] ??
            (declaration.defaultValue !== undefined ? expandVariables(declaration.defaultValue, scope()) : undefined) ??
            globalDefaults.get(declaration.name) ??
            builtins.get(declaration.name);
          if (value !== undefined) args.set(declaration.name, value);
        }
        break;
      case 'env':
        for (const [name, value] of instruction.pairs) result.env.set(name, expandVariables(value, scope()));
        break;
      case 'copy':
        if (instruction.from !== undefined) dependOnStageOrImage(instruction.from, instruction.line);
        else instruction.sources.forEach((source) => addSource(source, instruction.line, 'COPY'));
        break;
      case 'add':
        for (const source of instruction.sources) {
          const expanded = expandVariables(source, scope());
          if (URL_SOURCE.test(expanded)) {
            if (!instruction.checksum) {
              result.warnings.push(
                `${model.file}:${instruction.line}: ADD ${expanded} downloads at build time without --checksum; its content is not part of the layer key, so a changed download does not rebuild this layer. Add --checksum=sha256:... to pin it.`,
              );
            }
          } else {
            addSource(source, instruction.line, 'ADD');
          }
        }
        break;
      case 'run-mount':
        for (const mount of instruction.mounts) {
          if (mount.from !== undefined) dependOnStageOrImage(mount.from, instruction.line);
          else addSource(mount.source, instruction.line, 'RUN --mount');
        }
        break;
    }
  }
  return result;
}

function resolveTarget(model: DockerfileModel, target: string | undefined): number {
  if (target === undefined) return model.stages.length - 1;
  const stage = model.stages.find((candidate) => candidate.name === target.toLowerCase());
  if (!stage) {
    const names = model.stages.map((candidate) => candidate.name).filter(Boolean);
    throw new StrataInputError({
      file: model.file,
      problem: `no stage named "${target}" to build as --target`,
      hint: names.length ? `use one of its stages: ${names.join(', ')}` : 'name a stage with "FROM <image> AS <name>" or drop "target"',
    });
  }
  return stage.index;
}

function platformArgs(platform: string): Map<string, string> {
  const { os, arch, variant } = parsePlatform(platform);
  return new Map([
    ['TARGETPLATFORM', platform],
    ['TARGETOS', os],
    ['TARGETARCH', arch],
    ['TARGETVARIANT', variant ?? ''],
  ]);
}

/** Context paths as BuildKit resolves them: relative to the context root, never above it. */
export function normalizeContextPath(raw: string): { path: string; clamped: boolean } {
  const joined = posix.normalize(`/${raw.replace(/\\/g, '/')}`);
  const clamped = posix.normalize(raw.replace(/\\/g, '/')).startsWith('..');
  const relative = joined.replace(/^\/+/, '').replace(/\/+$/, '');
  return { path: relative === '' ? '.' : relative, clamped };
}
