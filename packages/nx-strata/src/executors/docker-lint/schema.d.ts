import type { LintUnit } from '../../lint/lint-unit';

export interface DockerLintExecutorOptions {
  image: string;
  /** Workspace-relative SARIF 2.1.0 log to write (a declared output). */
  sarif: string;
  /** Each distinct Dockerfile + build args + role, with the layer tasks it stands for. */
  units: LintUnit[];
}
