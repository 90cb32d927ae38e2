/** What a docker failure most likely means, read from its stderr, and what the user should do about it. */
export interface DockerDiagnosis {
  kind: 'engine-down' | 'registry-unreachable' | 'registry-auth' | 'registry-read-only' | 'image-not-found' | 'build-failed';
  hint: string;
}

export function diagnoseDockerFailure(stderr: string, context: { registry?: string | null }): DockerDiagnosis {
  const text = stderr.toLowerCase();
  const registry = context.registry ?? 'the registry';
  if (/cannot connect to the docker daemon|error during connect|is the docker daemon running|dial unix .*docker\.sock/.test(text)) {
    return {
      kind: 'engine-down',
      hint: `the Docker engine is not reachable${process.env.DOCKER_HOST ? ` at DOCKER_HOST=${process.env.DOCKER_HOST}` : ''}: start it (\`dockerd\`, \`systemctl start docker\`, or this repository's tools/env/setup-machine.sh) or point DOCKER_HOST at a running engine`,
    };
  }
  if (/unauthorized|authentication required|no basic auth credentials|401/.test(text) && !/denied: requested access to the resource is denied/.test(text)) {
    return { kind: 'registry-auth', hint: `${registry} refused the credentials: run \`docker login ${registryHost(registry)}\` (or configure its credential helper in ~/.docker/config.json)` };
  }
  if (/denied|forbidden|403/.test(text)) {
    return { kind: 'registry-read-only', hint: `${registry} lets you pull but not push: use credentials with push rights (\`docker login ${registryHost(registry)}\`), or run without a registry (unset STRATA_REGISTRY) to build locally` };
  }
  if (/connection refused|no such host|i\/o timeout|dial tcp|server misbehaving|connection reset|eof/.test(text) && context.registry) {
    return { kind: 'registry-unreachable', hint: `the registry ${registry} is unreachable: start it or fix the registry option / STRATA_REGISTRY (it is "${registry}")` };
  }
  if (/not found|manifest unknown|pull access denied|repository does not exist/.test(text)) {
    return { kind: 'image-not-found', hint: 'an image the build starts from cannot be found: build its parent layer first, or check the FROM line and that the image exists' };
  }
  return { kind: 'build-failed', hint: 'read the build output above; fix the Dockerfile or its inputs and run again' };
}

export function registryHost(registry: string): string {
  return registry.split('/')[0];
}
