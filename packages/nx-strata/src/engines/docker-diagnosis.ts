/** What a docker failure most likely means, read from its stderr, and what the user should do about it. */
export interface DockerDiagnosis {
  kind:
    | 'engine-down'
    | 'registry-unreachable'
    | 'network-unreachable'
    | 'registry-error'
    | 'cache-export-unsupported'
    | 'registry-auth'
    | 'registry-read-only'
    | 'image-not-found'
    | 'build-failed';
  hint: string;
}

const UNREACHABLE = /connection refused|no such host|i\/o timeout|server misbehaving|connection reset|network is unreachable/;

/** Reads only the error lines: build logs are full of hashes and tool output that look like status codes. */
export function diagnoseDockerFailure(
  stderr: string,
  context: { registry?: string | null; /** Pulling from the registry worked just before. */ pullWorks?: boolean },
): DockerDiagnosis {
  const errorLines = stderr.split(/\r?\n/).filter((line) => /^(error|ERROR)\b|^\s*> \[internal\] load metadata for /.test(line));
  const text = errorLines.join('\n').toLowerCase();
  const registry = context.registry ?? null;
  const registryName = registry ?? 'the registry';

  if (/cannot connect to the docker daemon|error during connect|is the docker daemon running/.test(text)) {
    return {
      kind: 'engine-down',
      hint: `the Docker engine is not reachable${process.env.DOCKER_HOST ? ` at DOCKER_HOST=${process.env.DOCKER_HOST}` : ''}: start it (\`sudo systemctl start docker\` on Linux, Docker Desktop on macOS and Windows), install Docker Engine if it is missing (https://docs.docker.com/engine/install/), or point DOCKER_HOST at a running engine`,
    };
  }
  if (/cache export is not supported for the docker driver/.test(text)) {
    return {
      kind: 'cache-export-unsupported',
      hint: 'the `docker` buildx driver cannot export a build cache (a "cacheTo" of type registry, local or gha): use "type=inline", or build with a docker-container builder (`docker buildx create --name strata --driver docker-container`, then the plugin option "builders" or `docker buildx use strata`)',
    };
  }
  if (
    /unexpected (http )?status[^\n]*\b5\d\d\b|\b5\d\d (internal server error|bad gateway|service unavailable|gateway timeout)/.test(text)
  ) {
    const status = /\b(5\d\d)\b/.exec(text)?.[1];
    return {
      kind: 'registry-error',
      hint: `${registryName} failed with HTTP ${status} while the image was pushed: the registry's own error, not the build's. Check its logs and storage (a full disk, a proxy in front of it), then run again`,
    };
  }
  const metadataFor = /load metadata for (\S+?):?$/m.exec(errorLines.join('\n'))?.[1];
  if (metadataFor) {
    if (registry && metadataFor.startsWith(registryHost(registry)) && UNREACHABLE.test(text)) {
      return {
        kind: 'registry-unreachable',
        hint: `the registry ${registryName} is unreachable while resolving the parent image: start it or fix the registry option / STRATA_REGISTRY`,
      };
    }
    const network = networkFailure(text);
    if (network) {
      return {
        kind: 'network-unreachable',
        hint: `the network failed while fetching ${metadataFor}: ${network.what}${network.host ? ` (${network.host})` : ''}. The image may well exist: check that this machine reaches ${network.host ?? 'its registry'} (DNS, firewall, HTTPS_PROXY / NO_PROXY), or use a registry mirror or an image the engine already holds`,
      };
    }
    return {
      kind: 'image-not-found',
      hint: `an image the build starts from cannot be found: ${metadataFor}. If it is a parent layer (pruned from the registry, or built elsewhere), build its parent layer first with --skip-nx-cache; otherwise check the FROM line and that the image exists or can be pulled`,
    };
  }
  if (context.pullWorks && /\b40[13]\b|unauthorized|authentication required|denied|forbidden/.test(text)) {
    return {
      kind: 'registry-read-only',
      hint: `${registryName} lets these credentials pull but not push: use credentials with push rights (\`docker login ${registry ? registryHost(registry) : '<registry>'}\`), or build locally (STRATA_REGISTRY= with an empty value)`,
    };
  }
  if (/\b401\b|unauthorized|authentication required|no basic auth credentials/.test(text)) {
    return {
      kind: 'registry-auth',
      hint: `${registryName} refused the credentials: run \`docker login ${registry ? registryHost(registry) : '<registry>'}\` (or configure its credential helper in ~/.docker/config.json)`,
    };
  }
  if (/\b403\b|denied|forbidden/.test(text)) {
    return {
      kind: 'registry-read-only',
      hint: `${registryName} lets you pull but not push: use credentials with push rights (\`docker login ${registry ? registryHost(registry) : '<registry>'}\`), or build locally (STRATA_REGISTRY= with an empty value)`,
    };
  }
  if (registry && UNREACHABLE.test(text)) {
    return {
      kind: 'registry-unreachable',
      hint: `the registry ${registryName} is unreachable: start it or fix the registry option / STRATA_REGISTRY (it is "${registryName}")`,
    };
  }
  return { kind: 'build-failed', hint: 'read the build output above; fix the Dockerfile or its inputs and run again' };
}

/** A DNS or connection failure in lowercased error text: what failed, and the host it named. */
function networkFailure(text: string): { what: string; host?: string } | undefined {
  const what = /no such host|temporary failure in name resolution|server misbehaving/.test(text)
    ? 'DNS cannot resolve the registry host'
    : /i\/o timeout|tls handshake timeout|context deadline exceeded/.test(text)
      ? 'the connection timed out'
      : /connection refused/.test(text)
        ? 'the connection was refused'
        : /network is unreachable|no route to host|connection reset/.test(text)
          ? 'the network is unreachable'
          : undefined;
  if (!what) return undefined;
  const host =
    /lookup ([a-z0-9.-]+)/.exec(text)?.[1] ?? /dial tcp ([a-z0-9.-]+):\d+/.exec(text)?.[1] ?? /https?:\/\/([a-z0-9.-]+)/.exec(text)?.[1];
  return { what, host };
}

export function registryHost(registry: string): string {
  return registry.split('/')[0];
}

/**
 * Whether a failed registry-side copy (`docker buildx imagetools create`) is worth one more try: the registry refused
 * part of it mid-copy (`failed commit on ref`, a 400 on a PUT), or answered a server error (5xx), which distribution
 * does now and then under load (seen: a 500 on the HEAD of a manifest being retagged). Pure.
 */
export function isPassingCopyFailure(stderr: string): boolean {
  return (
    /failed commit on ref|unexpected status from PUT request .*: 400/.test(stderr) ||
    /\b5\d\d (Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)\b/i.test(stderr) ||
    /unexpected status( code)?( from \w+ request to \S+)?:? 5\d\d\b/i.test(stderr)
  );
}
