import { checkKeys, checkOptionalBoolean, checkOptionalInteger, checkOptionalString, isObject, type Fail } from './config-checks';
import { formatJsonPath, type JsonPath } from './json-source';

/** Checks a layer's `test` settings (`docker-test`); every problem names its key. */
export function checkContainerTest(value: unknown, at: JsonPath, fail: Fail): void {
  if (value === undefined) return;
  const where = formatJsonPath(at);
  if (!isObject(value)) fail(at, `"${where}" must be an object, e.g. { "smoke": [{ "command": ["--version"] }] }`);
  checkKeys(value, ['enabled', 'nonRoot', 'healthcheck', 'smoke', 'ports'], at, fail);
  checkOptionalBoolean(value.enabled, [...at, 'enabled'], fail);
  checkOptionalBoolean(value.nonRoot, [...at, 'nonRoot'], fail);
  const health = value.healthcheck;
  if (isObject(health)) {
    checkKeys(health, ['timeoutMs', 'intervalMs'], [...at, 'healthcheck'], fail);
    checkOptionalInteger(health.timeoutMs, [...at, 'healthcheck', 'timeoutMs'], fail, 1);
    checkOptionalInteger(health.intervalMs, [...at, 'healthcheck', 'intervalMs'], fail, 1);
  } else checkOptionalBoolean(health, [...at, 'healthcheck'], fail);
  if (value.smoke !== undefined) {
    if (!Array.isArray(value.smoke)) fail([...at, 'smoke'], `"${where}.smoke" must be a list of { "command": [...] }`);
    value.smoke.forEach((smoke: unknown, index: number) => {
      const smokeAt = [...at, 'smoke', index];
      if (!isObject(smoke)) return fail(smokeAt, `"${formatJsonPath(smokeAt)}" must be an object such as { "command": ["--version"] }`);
      checkKeys(smoke, ['command', 'entrypoint', 'exitCode', 'output', 'runs', 'maxStartupMs', 'timeoutMs'], smokeAt, fail);
      if (!Array.isArray(smoke.command) || smoke.command.some((arg) => typeof arg !== 'string'))
        fail([...smokeAt, 'command'], `"${formatJsonPath([...smokeAt, 'command'])}" must be an argument list such as ["--version"]`);
      checkOptionalString(smoke.entrypoint, [...smokeAt, 'entrypoint'], fail);
      checkOptionalInteger(smoke.exitCode, [...smokeAt, 'exitCode'], fail, 0, 255);
      checkOptionalInteger(smoke.runs, [...smokeAt, 'runs'], fail, 1, 100);
      checkOptionalInteger(smoke.maxStartupMs, [...smokeAt, 'maxStartupMs'], fail, 1);
      checkOptionalInteger(smoke.timeoutMs, [...smokeAt, 'timeoutMs'], fail, 1);
      if (smoke.output !== undefined) {
        checkOptionalString(smoke.output, [...smokeAt, 'output'], fail);
        try {
          new RegExp(smoke.output as string);
        } catch (error) {
          fail(
            [...smokeAt, 'output'],
            `"${formatJsonPath([...smokeAt, 'output'])}" is not a regular expression: ${(error as Error).message}`,
          );
        }
      }
    });
  }
  if (value.ports !== undefined) {
    if (!Array.isArray(value.ports)) fail([...at, 'ports'], `"${where}.ports" must be a list of { "port": 8080 }`);
    value.ports.forEach((port: unknown, index: number) => {
      const portAt = [...at, 'ports', index];
      if (!isObject(port)) return fail(portAt, `"${formatJsonPath(portAt)}" must be an object such as { "port": 8080, "http": "/health" }`);
      checkKeys(port, ['port', 'http', 'status', 'timeoutMs'], portAt, fail);
      if (port.port === undefined) fail(portAt, `"${formatJsonPath(portAt)}" needs "port"`);
      checkOptionalInteger(port.port, [...portAt, 'port'], fail, 1, 65535);
      if (port.http !== undefined && (typeof port.http !== 'string' || !port.http.startsWith('/')))
        fail([...portAt, 'http'], `"${formatJsonPath([...portAt, 'http'])}" must be a path starting with "/", e.g. "/health"`);
      checkOptionalInteger(port.status, [...portAt, 'status'], fail, 100, 599);
      checkOptionalInteger(port.timeoutMs, [...portAt, 'timeoutMs'], fail, 1);
    });
  }
}
