/**
 * The registry layers are pushed to: `STRATA_REGISTRY` when it is set (an empty value forces local mode), else the
 * plugin option; without a trailing slash. Null means local mode.
 */
export function buildRegistry(option: string | undefined | null, env: NodeJS.ProcessEnv = process.env): string | null {
  const value = env.STRATA_REGISTRY !== undefined ? env.STRATA_REGISTRY : option;
  return value ? value.replace(/\/+$/, '') : null;
}

/** A registry option such as `ghcr.io/acme` or `127.0.0.1:5000/team/ns`, split into host and repository prefix. */
export interface RegistryAddress {
  /** `ghcr.io`, `127.0.0.1:5000`. */
  host: string;
  /** Path inside the registry before the image name, possibly ''. */
  prefix: string;
}

export function parseRegistryAddress(registry: string): RegistryAddress {
  const trimmed = registry.replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '');
  const slash = trimmed.indexOf('/');
  return slash === -1 ? { host: trimmed, prefix: '' } : { host: trimmed.slice(0, slash), prefix: trimmed.slice(slash + 1) };
}

/** Repository name inside the registry: `<prefix>/<path>`. */
export function repositoryName(address: RegistryAddress, path: string): string {
  return address.prefix ? `${address.prefix}/${path}` : path;
}

/**
 * Docker talks plain HTTP to loopback registries and to those listed as insecure; everything else is HTTPS.
 * `STRATA_INSECURE_REGISTRIES` (comma-separated hosts) mirrors the daemon's `insecure-registries`.
 */
export function registryScheme(host: string, env: NodeJS.ProcessEnv = process.env): 'http' | 'https' {
  const hostname = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  if (hostname === 'localhost' || hostname === '::1' || /^127\./.test(hostname)) return 'http';
  const insecure = (env.STRATA_INSECURE_REGISTRIES ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return insecure.includes(host) || insecure.includes(hostname) ? 'http' : 'https';
}
