import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { execCommand } from '../../../engines/exec-command';
import { sourceUrl, type AnnotationFacts } from '../../../publish/oci-annotations';

/**
 * What the workspace says about the release, for the manifest lists' OCI annotations: the repository (CI variables,
 * else the `origin` remote, credentials dropped), the commit, the time (`SOURCE_DATE_EPOCH` when set), and the image
 * project's package.json `description`, `license` and `homepage`. Never throws: a fact it cannot read is left out.
 */
export async function annotationFacts(
  input: { workspaceRoot: string; configFile: string; image: string; version?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<AnnotationFacts> {
  const git = async (args: string[]) => {
    const result = await execCommand('git', args, { cwd: input.workspaceRoot, timeoutMs: 30_000 });
    return result.exitCode === 0 ? result.stdout.trim() : undefined;
  };
  const [revision, remote] = [await git(['rev-parse', 'HEAD']), await git(['remote', 'get-url', 'origin'])];
  const epoch =
    env.SOURCE_DATE_EPOCH !== undefined && /^\d+$/.test(env.SOURCE_DATE_EPOCH) ? Number(env.SOURCE_DATE_EPOCH) * 1000 : Date.now();
  const pkg = projectPackage(join(input.workspaceRoot, posix.dirname(input.configFile), 'package.json'));
  return {
    source: sourceUrl(env, remote),
    ...(revision && /^[0-9a-f]{40,64}$/.test(revision) ? { revision } : {}),
    ...(input.version ? { version: input.version } : {}),
    created: new Date(epoch).toISOString(),
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
