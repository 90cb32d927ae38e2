/** A Dockerfile reduced to what decides which files a build reads and which images it starts from. */
export interface DockerfileModel {
  /** Workspace-relative path, for messages. */
  file: string;
  /** `ARG`s before the first `FROM` (usable in `FROM` lines). */
  globalArgs: ArgDeclaration[];
  stages: Stage[];
  /** Parser directives such as `syntax`. */
  directives: Record<string, string>;
}

export interface ArgDeclaration {
  name: string;
  /** Default value, unexpanded; undefined when declared without `=`. */
  defaultValue?: string;
  line: number;
}

export interface Stage {
  index: number;
  /** `AS <name>`, lower-cased as BuildKit compares stage names case-insensitively. */
  name?: string;
  /** The image text after `FROM`, unexpanded (`${BASE_IMAGE}`, `python:3.11-slim`, `builder`). */
  from: string;
  line: number;
  instructions: StageInstruction[];
}

export type StageInstruction =
  | { kind: 'arg'; declarations: ArgDeclaration[]; line: number }
  | { kind: 'env'; pairs: Array<[name: string, value: string]>; line: number }
  | { kind: 'copy'; sources: string[]; from?: string; line: number }
  | { kind: 'add'; sources: string[]; checksum?: string; line: number }
  | { kind: 'run-mount'; mounts: BindMount[]; line: number };

/** A `RUN --mount` that may read files (bind mounts). `from` unset means the build context. */
export interface BindMount {
  source: string;
  from?: string;
}
