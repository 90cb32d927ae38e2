import { expandVariables, referencesVariable } from '../dockerfile/expand-variables';
import type { DockerfileFacts, Position, StageFacts } from './dockerfile-facts';
import type { RuleId, RuleSeverity } from './lint-rules';

/** One Dockerfile as one layer builds it: what `docker-lint` checks once per distinct Dockerfile + build args. */
export interface LintUnit {
  /** Workspace-relative. */
  dockerfile: string;
  args: Record<string, string>;
  /** Multi-stage `--target`; the last stage when unset. */
  target?: string;
  /** The ARG that carries the parent layer's image (FROM ${BASE_IMAGE}). */
  parentArg?: string;
  /** The parent layer as it is built: where an unset USER or HEALTHCHECK is inherited from. */
  parent?: Omit<LintUnit, 'layers' | 'severities' | 'allowImages' | 'final'>;
  /** A published or tested top layer (none builds on it): its final stage must run as non-root and have a HEALTHCHECK. */
  final: boolean;
  /** The layer tasks this unit stands for, for messages: `app (cpu, linux/amd64)`. */
  layers: string[];
  severities: Record<RuleId, RuleSeverity>;
  /** External images exempt from pinned-base-image and latest-tag (`name`, or a prefix ending in `*`). */
  allowImages: string[];
}

export interface Finding {
  rule: RuleId;
  severity: Exclude<RuleSeverity, 'off'>;
  file: string;
  at: Position;
  message: string;
  layers: string[];
}

const SECRET_NAME = /(_TOKEN$|^TOKEN$|PASSWORD|PASSWD|SECRET|_KEY$|^KEY$)/i;
const REMOTE = /^https?:\/\//i;

/** Every finding of the unit's Dockerfile under its rule severities. `factsOf` reads (and caches) a Dockerfile. */
export function lintUnit(unit: LintUnit, factsOf: (file: string) => DockerfileFacts): Finding[] {
  const findings: Finding[] = [];
  const report = (rule: RuleId, file: string, at: Position, message: string) => {
    const severity = unit.severities[rule];
    if (severity !== 'off') findings.push({ rule, severity, file, at, message, layers: unit.layers });
  };
  const facts = factsOf(unit.dockerfile);
  const final = finalStageIndex(facts, unit.target);
  if (final === undefined) return findings;
  const chain = stageChain(facts, final, unit);

  for (const index of chain) {
    const stage = facts.stages[index];
    for (const run of stage.runs) {
      const problem = packageCacheProblem(run);
      if (problem) report('package-cache', unit.dockerfile, run.at, problem);
    }
  }
  facts.stages.forEach((stage, index) => {
    const image = externalImage(facts, index, unit);
    if (image && !allowed(image, unit.allowImages)) {
      if (!image.includes('@sha256:'))
        report('pinned-base-image', unit.dockerfile, stage.at, `the base image ${image} is not pinned by digest`);
      const tag = tagOf(image);
      if (!image.includes('@') && (tag === undefined || tag === 'latest'))
        report('latest-tag', unit.dockerfile, stage.at, `the base image ${image} ${tag ? 'is tagged latest' : 'names no tag (latest)'}`);
    }
    for (const add of stage.adds)
      for (const source of add.sources.filter((candidate) => REMOTE.test(candidate)))
        if (!add.checksum) report('remote-add-checksum', unit.dockerfile, add.at, `ADD ${source} has no --checksum`);
    for (const variable of stage.variables)
      if (SECRET_NAME.test(variable.name))
        report('secret-in-env', unit.dockerfile, variable.at, `${variable.kind} ${variable.name} looks like a secret`);
  });
  for (const arg of facts.globalArgs)
    if (SECRET_NAME.test(arg.name)) report('secret-in-env', unit.dockerfile, arg.at, `ARG ${arg.name} looks like a secret`);

  if (unit.final) {
    const finalStage = facts.stages[final];
    const user = inherited(unit, factsOf, (stage) => stage.user);
    if (!user.found)
      report(
        'non-root-user',
        unit.dockerfile,
        finalStage.at,
        `the final stage sets no USER, nor does anything it builds on in this repository (the base image decides: usually root)`,
      );
    else if (isRootUser(user.found.value.value))
      report('non-root-user', user.found.file, user.found.value.at, `the final stage runs as root (USER ${user.found.value.value})`);
    const health = inherited(unit, factsOf, (stage) => stage.healthcheck);
    if (!health.found) report('healthcheck', unit.dockerfile, finalStage.at, 'the final stage has no HEALTHCHECK');
    else if (health.found.value.none)
      report('healthcheck', health.found.file, health.found.value.at, 'the final stage turns its health check off (HEALTHCHECK NONE)');
  }
  return findings;
}

/** The stage a build of `target` ends in (the last one by default). */
function finalStageIndex(facts: DockerfileFacts, target: string | undefined): number | undefined {
  if (facts.stages.length === 0) return undefined;
  if (target === undefined) return facts.stages.length - 1;
  const index = facts.stages.findIndex((stage) => stage.name === target.toLowerCase());
  return index < 0 ? undefined : index;
}

function scopeOf(facts: DockerfileFacts, unit: Pick<LintUnit, 'args'>): Map<string, string> {
  const scope = new Map<string, string>();
  for (const arg of facts.globalArgs) {
    const value = unit.args[arg.name] ?? arg.defaultValue;
    if (value !== undefined) scope.set(arg.name, expandVariables(value, scope));
  }
  return scope;
}

/** The stage `index` builds on within this file, if it names an earlier stage. */
function stageParent(facts: DockerfileFacts, index: number, scope: Map<string, string>): number | undefined {
  const from = expandVariables(facts.stages[index].from, scope).toLowerCase();
  const byName = facts.stages.findIndex((stage, earlier) => earlier < index && stage.name === from);
  if (byName >= 0) return byName;
  return /^\d+$/.test(from) && Number(from) < index ? Number(from) : undefined;
}

/** The final stage and the stages of this file it builds on, final first: what ends up in the image. */
function stageChain(facts: DockerfileFacts, final: number, unit: Pick<LintUnit, 'args'>): number[] {
  const scope = scopeOf(facts, unit);
  const chain = [final];
  for (let parent = stageParent(facts, final, scope); parent !== undefined; parent = stageParent(facts, parent, scope)) chain.push(parent);
  return chain;
}

/** The external image a stage starts from (expanded), or undefined for another stage, the parent layer or scratch. */
function externalImage(facts: DockerfileFacts, index: number, unit: Pick<LintUnit, 'args' | 'parentArg'>): string | undefined {
  const stage = facts.stages[index];
  if (unit.parentArg && referencesVariable(stage.from, unit.parentArg)) return undefined;
  const scope = scopeOf(facts, unit);
  if (stageParent(facts, index, scope) !== undefined) return undefined;
  const image = expandVariables(stage.from, scope);
  if (image === '' || image.toLowerCase() === 'scratch' || image.includes('$')) return undefined;
  return image;
}

/**
 * A stage setting (USER, HEALTHCHECK) as the final image has it: the last one in the final stage, else in the stages
 * of the file it builds on, else in the parent layer's build; nothing when an external base image decides.
 */
function inherited<T>(
  unit: Omit<LintUnit, 'layers' | 'severities' | 'allowImages' | 'final'>,
  factsOf: (file: string) => DockerfileFacts,
  pick: (stage: StageFacts) => T | undefined,
): { found?: { value: T; file: string } } {
  const facts = factsOf(unit.dockerfile);
  const final = finalStageIndex(facts, unit.target);
  if (final === undefined) return {};
  const chain = stageChain(facts, final, unit);
  for (const index of chain) {
    const value = pick(facts.stages[index]);
    if (value !== undefined) return { found: { value, file: unit.dockerfile } };
  }
  const root = facts.stages[chain[chain.length - 1]];
  if (unit.parentArg && unit.parent && referencesVariable(root.from, unit.parentArg)) return inherited(unit.parent, factsOf, pick);
  return {};
}

/** `root`, `0`, with or without a group. */
function isRootUser(user: string): boolean {
  const name = user.split(':')[0].trim();
  return name === '' || name === 'root' || name === '0';
}

function tagOf(image: string): string | undefined {
  const withoutDigest = image.split('@')[0];
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon < 0 ? undefined : withoutDigest.slice(colon + 1);
}

function allowed(image: string, allowImages: string[]): boolean {
  const name = image.split('@')[0];
  return allowImages.some((pattern) =>
    pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern || name.split(':')[0] === pattern,
  );
}

function packageCacheProblem(run: StageFacts['runs'][number]): string | undefined {
  const text = run.text;
  const cacheMount = (fragment: string) =>
    run.mountTypes.some((type, index) => type === 'cache' && run.mountTargets[index].includes(fragment));
  if (
    /\bapt(-get)?\s+(-\S+\s+)*install\b/.test(text) &&
    !/\brm\s+(-\S+\s+)*\/var\/lib\/apt\/lists/.test(text) &&
    !cacheMount('/var/lib/apt') &&
    !cacheMount('/var/cache/apt')
  )
    return 'apt-get install leaves /var/lib/apt/lists in the layer';
  if (/\bpip3?\s+install\b/.test(text) && !/--no-cache-dir/.test(text) && !/PIP_NO_CACHE_DIR/.test(text) && !cacheMount('pip'))
    return 'pip install keeps its download cache in the layer';
  if (/\bapk\s+add\b/.test(text) && !/--no-cache/.test(text) && !cacheMount('/var/cache/apk'))
    return 'apk add keeps its index cache in the layer';
  return undefined;
}
