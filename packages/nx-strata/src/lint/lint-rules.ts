import { LINT_RULE_IDS, type LintRuleId, type LintSeverity } from '../config/strata-config';

/** How much a rule's finding weighs: `error` fails `docker-lint` (and so stops `docker-publish`), `warning` is reported. */
export type RuleSeverity = LintSeverity;
export type RuleId = LintRuleId;

export interface LintRule {
  id: RuleId;
  severity: Exclude<RuleSeverity, 'off'>;
  /** One line: what the rule asks for. */
  title: string;
  /** One line: why. */
  why: string;
  /** One line: how to fix a finding. */
  fix: string;
}

/** Every rule of `docker-lint`, with its default severity (the README's table is this one). */
export const LINT_RULES: readonly LintRule[] = [
  {
    id: 'non-root-user',
    severity: 'error',
    title: 'The final stage of a published or tested top layer runs as a non-root USER',
    why: 'a process that escapes a container running as root is root on the host (unless user namespaces remap it)',
    fix: 'add `USER <uid>` (a non-zero uid, e.g. 65534 or 10001) to the final stage, after the steps that need root',
  },
  {
    id: 'healthcheck',
    severity: 'warning',
    title: 'The final stage of a published or tested top layer has a HEALTHCHECK',
    why: 'without one, Docker and orchestrators cannot tell a hung service from a healthy one',
    fix: 'add `HEALTHCHECK CMD <probe>` to the final stage, or turn the rule off for an image that is a command, not a service',
  },
  {
    id: 'pinned-base-image',
    severity: 'warning',
    title: 'External base images are pinned by digest',
    why: 'a tag can move: the same Dockerfile then builds a different image without any change in the repository',
    fix: 'write `FROM <image>:<tag>@sha256:<digest>` (the plugin option pinBaseImages can rebuild on upstream changes), or add the image to lint.allowImages',
  },
  {
    id: 'latest-tag',
    severity: 'warning',
    title: 'External base images name a version, not `latest` (or no tag)',
    why: '`latest` changes under you, and says nothing about what the image holds',
    fix: 'name a version tag (python:3.11-slim), ideally with its digest',
  },
  {
    id: 'secret-in-env',
    severity: 'error',
    title: 'No ENV or ARG whose name looks like a secret (*_TOKEN, *PASSWORD*, *SECRET*, *_KEY)',
    why: 'ENV values stay in the image config and ARG values in its history, readable by anyone who can pull it',
    fix: 'pass it with `RUN --mount=type=secret,id=<id>` (docker build --secret); rename a variable that is not a secret, or turn the rule off for the layer',
  },
  {
    id: 'package-cache',
    severity: 'warning',
    title: 'Package-manager caches are removed in the same RUN, or kept in a cache mount',
    why: 'apt lists and pip or apk caches left in a layer add size to every pull and are never used at run time',
    fix: 'end the RUN with `&& rm -rf /var/lib/apt/lists/*`, use `pip install --no-cache-dir` / `apk add --no-cache`, or `RUN --mount=type=cache,target=...`',
  },
  {
    id: 'remote-add-checksum',
    severity: 'error',
    title: 'ADD of a remote URL carries --checksum',
    why: 'without it the build trusts whatever the server sends that day',
    fix: 'add `--checksum=sha256:<digest>` to the ADD (the digest of the file you reviewed)',
  },
];

export const RULE_IDS: readonly RuleId[] = LINT_RULE_IDS;

export function ruleOf(id: RuleId): LintRule {
  return LINT_RULES.find((rule) => rule.id === id)!;
}

/** The severity of every rule: the defaults, then the project's `lint.rules`, then the layer's. */
export function effectiveSeverities(...overrides: Array<Partial<Record<RuleId, RuleSeverity>> | undefined>): Record<RuleId, RuleSeverity> {
  return Object.assign(Object.fromEntries(LINT_RULES.map((rule) => [rule.id, rule.severity])), ...overrides.filter(Boolean)) as Record<
    RuleId,
    RuleSeverity
  >;
}
