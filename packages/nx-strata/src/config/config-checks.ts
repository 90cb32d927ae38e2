import { formatJsonPath, type JsonPath } from './json-source';

/** Reports a strata.json problem at a key (its line and column when read from a file); never returns. */
export type Fail = (at: JsonPath, problem: string, hint?: string) => never;

export function checkKeys(value: object, allowed: string[], at: JsonPath, fail: Fail): void {
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length)
    fail([...at, unknown[0]], `unknown key "${formatJsonPath([...at, unknown[0]])}"`, `allowed here: ${allowed.join(', ')}`);
}

export function checkOptionalString(value: unknown, at: JsonPath, fail: Fail): void {
  if (value !== undefined && (typeof value !== 'string' || value === '')) fail(at, `"${formatJsonPath(at)}" must be a non-empty string`);
}

/** A whole number ≥ `min` (a budget, a count, a port), or absent. */
export function checkOptionalInteger(value: unknown, at: JsonPath, fail: Fail, min = 0, max = Number.MAX_SAFE_INTEGER): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max))
    fail(at, `"${formatJsonPath(at)}" must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}`);
}

export function checkOptionalBoolean(value: unknown, at: JsonPath, fail: Fail): void {
  if (value !== undefined && typeof value !== 'boolean') fail(at, `"${formatJsonPath(at)}" must be true or false`);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
