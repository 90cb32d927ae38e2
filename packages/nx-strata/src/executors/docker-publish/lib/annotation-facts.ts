import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { sourceUrl, type AnnotationFacts } from '../../../publish/oci-annotations';
import { publishTime } from '../../../publish/tag-templates';
import { gitOutput } from './git-output';

/**
 * What the workspace says about the release, for the manifest lists' OCI annotations: the repository (CI variables,
 * else the `origin` remote, credentials dropped), the commit, the time (`SOURCE_DATE_EPOCH` when set), and the image
 * project's package.json `description`, `license` and `homepage`. Never throws: a fact it cannot read is left out.
 */
export async function annotationFacts(
  input: { workspaceRoot: string; configFile: string; image: string; version?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<AnnotationFacts> {
  const revision = await gitOutput(input.workspaceRoot, ['rev-parse', 'HEAD']);
  const remote = await gitOutput(input.workspaceRoot, ['remote', 'get-url', 'origin']);
  const pkg = projectPackage(join(input.workspaceRoot, posix.dirname(input.configFile), 'package.json'));
  return {
    source: sourceUrl(env, remote),
    ...(revision && /^[0-9a-f]{40,64}$/.test(revision) ? { revision } : {}),
    ...(input.version ? { version: input.version } : {}),
    created: publishTime(env).toISOString(),
    image: input.image,
    ...pkg,
  };
}

function projectPackage(path: string): Pick<AnnotationFacts, 'description' | 'licenses' | 'url'> {
  if (!existsSync(path)) return {};
  try {
    const pkg = JSON.parse(readFileSync(path, 'utf8')) as { description?: unknown; license?: unknown; homepage?: unknown };
    return {
      ...(typeof pkg.description === 'string' ? { description: pkg.description } : {}),
      ...(typeof pkg.license === 'string' ? { licenses: pkg.license } : {}),
      ...(typeof pkg.homepage === 'string' && /^https?:\/\//.test(pkg.homepage) ? { url: pkg.homepage } : {}),
    };
  } catch {
    return {};
  }
}
