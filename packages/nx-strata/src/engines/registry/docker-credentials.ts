import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execCommand } from '../exec-command';

/** Credentials for one registry, found the way the docker CLI finds them. */
export type RegistryCredentials = { kind: 'basic'; username: string; password: string } | { kind: 'identity-token'; token: string };

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/**
 * Reads `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`): a per-registry credential helper
 * (`credHelpers`), else the default store (`credsStore`), else inline `auths`. Helpers run as
 * `docker-credential-<name> get` with the server on stdin, exactly as docker runs them (GHCR, ECR, GCR...).
 * Returns undefined for anonymous access. Never throws for a missing config or helper.
 */
export async function findDockerCredentials(host: string, env: NodeJS.ProcessEnv = process.env): Promise<RegistryCredentials | undefined> {
  const configFile = join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
  if (!existsSync(configFile)) return undefined;
  let config: DockerConfig;
  try {
    config = JSON.parse(readFileSync(configFile, 'utf8')) as DockerConfig;
  } catch {
    return undefined;
  }
  const keys = serverKeys(host);
  const helper = keys.map((key) => config.credHelpers?.[key]).find(Boolean) ?? config.credsStore;
  if (helper) {
    for (const key of keys) {
      const fromHelper = await fromCredentialHelper(helper, key);
      if (fromHelper) return fromHelper;
    }
  }
  for (const key of keys) {
    const entry = config.auths?.[key];
    if (!entry) continue;
    if (entry.identitytoken) return { kind: 'identity-token', token: entry.identitytoken };
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    if (entry.username && entry.password) return { kind: 'basic', username: entry.username, password: entry.password };
  }
  return undefined;
}

/** Docker Hub is stored under its legacy URL; other registries under their host (sometimes with a scheme). */
function serverKeys(host: string): string[] {
  if (host === 'docker.io' || host === 'index.docker.io' || host === 'registry-1.docker.io') {
    return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io'];
  }
  return [host, `https://${host}`, `http://${host}`];
}

async function fromCredentialHelper(helper: string, server: string): Promise<RegistryCredentials | undefined> {
  const result = await execCommand(`docker-credential-${helper}`, ['get'], { input: server });
  if (result.exitCode !== 0) return undefined;
  try {
    const { Username, Secret } = JSON.parse(result.stdout) as { Username?: string; Secret?: string };
    if (!Secret) return undefined;
    return Username === '<token>'
      ? { kind: 'identity-token', token: Secret }
      : { kind: 'basic', username: Username ?? '', password: Secret };
  } catch {
    return undefined;
  }
}
