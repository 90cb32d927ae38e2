import { readWorkspaceTextFile } from '../config/workspace-paths';
import type { DockerfileModel } from './dockerfile-model';
import { parseDockerfile } from './parse-dockerfile';

/** Reads and parses a workspace-relative Dockerfile, which must be a regular file inside the workspace. */
export function readDockerfileModel(workspaceRoot: string, file: string): DockerfileModel {
  return parseDockerfile(readWorkspaceTextFile(workspaceRoot, file, { file, what: 'Dockerfile' }), file);
}
