import { checkKeys, isObject, type Fail } from './config-checks';
import { formatJsonPath, type JsonPath } from './json-source';
import { LINT_RULE_IDS } from './strata-config';

const SEVERITIES = ['off', 'warning', 'error'];

/** Checks `lint` settings (top-level: rules and allowImages; a layer's: rules only); every problem names its key. */
export function checkLint(value: unknown, at: JsonPath, fail: Fail, topLevel: boolean): void {
  if (value === undefined) return;
  const where = formatJsonPath(at);
  if (!isObject(value)) fail(at, `"${where}" must be an object, e.g. { "rules": { "healthcheck": "off" } }`);
  checkKeys(value, topLevel ? ['rules', 'allowImages'] : ['rules'], at, fail);
  if (value.rules !== undefined) {
    if (!isObject(value.rules)) fail([...at, 'rules'], `"${where}.rules" must map rule ids to "off", "warning" or "error"`);
    for (const [rule, severity] of Object.entries(value.rules)) {
      if (!(LINT_RULE_IDS as readonly string[]).includes(rule))
        fail([...at, 'rules', rule], `"${where}.rules" names an unknown rule "${rule}"`, `use one of: ${LINT_RULE_IDS.join(', ')}`);
      if (!SEVERITIES.includes(severity as string))
        fail([...at, 'rules', rule], `"${where}.rules.${rule}" must be "off", "warning" or "error"`);
    }
  }
  if (
    value.allowImages !== undefined &&
    (!Array.isArray(value.allowImages) || value.allowImages.some((image) => typeof image !== 'string' || image === ''))
  )
    fail([...at, 'allowImages'], `"${where}.allowImages" must list image names, e.g. ["python", "registry.acme.dev/*"]`);
}
