import { DockerfileParser, type Flag, type Heredoc, type Instruction, type Property } from 'dockerfile-ast';
import { StrataInputError } from '../config/strata-error';
import type { ArgDeclaration, BindMount, DockerfileModel, Stage, StageInstruction } from './dockerfile-model';

const KNOWN_INSTRUCTIONS = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);

const DOCKERFILE_HINT = 'fix the Dockerfile (see https://docs.docker.com/reference/dockerfile/) and run again';

/**
 * Parses a Dockerfile with dockerfile-ast and keeps what input inference needs.
 * Throws StrataInputError (file and line) for what docker itself would reject.
 */
export function parseDockerfile(text: string, file: string): DockerfileModel {
  const ast = DockerfileParser.parse(text);
  const fail: Fail = (line, problem, hint = DOCKERFILE_HINT) => {
    throw new StrataInputError({ file, line, problem, hint });
  };

  const model: DockerfileModel = { file, globalArgs: [], stages: [], directives: {} };
  for (const directive of ast.getDirectives()) {
    model.directives[directive.getName().toLowerCase()] = directive.getValue();
  }

  let stage: Stage | undefined;
  for (const instruction of ast.getInstructions()) {
    const keyword = instruction.getKeyword().toUpperCase();
    const line = instruction.getRange().start.line + 1;
    if (!KNOWN_INSTRUCTIONS.has(keyword)) {
      // Name the keyword only when it looks like one: the file may be something else entirely (never echo its content).
      const word = instruction.getInstruction();
      if (/^[A-Za-z]{1,16}$/.test(word)) fail(line, `unknown instruction "${word}"`);
      fail(
        line,
        'a line that is not a Dockerfile instruction',
        'point "dockerfile" at a Dockerfile, or fix this line (see https://docs.docker.com/reference/dockerfile/)',
      );
    }
    if (keyword === 'FROM') {
      const words = plainArguments(instruction);
      if (words.length === 0) fail(line, 'FROM needs an image');
      if (words.length !== 1 && !(words.length === 3 && words[1].toUpperCase() === 'AS')) {
        fail(line, `FROM takes "<image> [AS <name>]", and this one has ${words.length} words`);
      }
      stage = { index: model.stages.length, from: words[0], name: words[2]?.toLowerCase(), line, instructions: [] };
      model.stages.push(stage);
      continue;
    }
    if (!stage) {
      if (keyword !== 'ARG') fail(line, `${keyword} before the first FROM (only ARG may come first)`);
      model.globalArgs.push(...parseArgDeclarations(instruction, line, fail));
      continue;
    }
    const parsed = parseStageInstruction(keyword, instruction, line, fail);
    if (parsed) stage.instructions.push(parsed);
  }
  if (model.stages.length === 0) fail(1, 'no FROM instruction', 'a Dockerfile needs at least one FROM');
  return model;
}

type Fail = (line: number, problem: string, hint?: string) => never;

function parseStageInstruction(keyword: string, instruction: Instruction, line: number, fail: Fail): StageInstruction | undefined {
  switch (keyword) {
    case 'ARG':
      return { kind: 'arg', declarations: parseArgDeclarations(instruction, line, fail), line };
    case 'ENV':
      return { kind: 'env', pairs: parseEnvPairs(instruction, line, fail), line };
    case 'COPY':
    case 'ADD': {
      const flags = flagValues(instruction);
      const words = copyArguments(instruction);
      const heredocNames = heredocNamesOf(instruction);
      const sources = words.slice(0, -1).filter((word) => !isHeredocMarker(word, heredocNames));
      if (words.length < 2 && heredocNames.length === 0) fail(line, `${keyword} needs at least one source and a destination`);
      if (keyword === 'COPY') return { kind: 'copy', sources, from: flags.get('from'), line };
      return { kind: 'add', sources, checksum: flags.get('checksum'), line };
    }
    case 'RUN': {
      const mounts = runBindMounts(instruction);
      return mounts.length > 0 ? { kind: 'run-mount', mounts, line } : undefined;
    }
    default:
      return undefined;
  }
}

/** Arguments on the instruction's own lines: heredoc bodies excluded. */
function plainArguments(instruction: Instruction): string[] {
  const heredocs = heredocsOf(instruction);
  const bodyStart = heredocs.map((heredoc) => heredoc.getContentRange()?.start.line).filter((l): l is number => l !== undefined);
  const firstBodyLine = bodyStart.length ? Math.min(...bodyStart) : Number.POSITIVE_INFINITY;
  return instruction
    .getArguments()
    .filter((argument) => argument.getRange().start.line < firstBodyLine)
    .map((argument) => argument.getValue());
}

/** COPY/ADD words, honouring the JSON form (dockerfile-ast loses spaces inside JSON strings). */
function copyArguments(instruction: Instruction): string[] {
  const content = (instruction.getArgumentsContent() ?? '').trim();
  if (content.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(content);
      if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) return parsed;
    } catch {
      // Not valid JSON: docker reads it as the shell form, and so do we.
    }
  }
  return plainArguments(instruction);
}

/** COPY, ADD and RUN carry heredocs and flags; other instructions do not have these methods. */
type RichInstruction = Instruction & { getHeredocs?: () => Heredoc[]; getFlags?: () => Flag[] };

function heredocsOf(instruction: Instruction): Heredoc[] {
  return (instruction as RichInstruction).getHeredocs?.() ?? [];
}

function flagsOf(instruction: Instruction): Flag[] {
  return (instruction as RichInstruction).getFlags?.() ?? [];
}

function heredocNamesOf(instruction: Instruction): string[] {
  return heredocsOf(instruction).map((heredoc) => heredoc.getName());
}

function isHeredocMarker(word: string, names: string[]): boolean {
  const match = /^<<-?["']?([^"']+)["']?$/.exec(word);
  return match !== null && names.includes(match[1]);
}

function flagValues(instruction: Instruction): Map<string, string> {
  const values = new Map<string, string>();
  for (const flag of flagsOf(instruction)) values.set(flag.getName().toLowerCase(), flag.getValue() ?? '');
  return values;
}

function runBindMounts(instruction: Instruction): BindMount[] {
  const mounts: BindMount[] = [];
  for (const flag of flagsOf(instruction)) {
    if (flag.getName().toLowerCase() !== 'mount') continue;
    const options = new Map<string, string>();
    for (const option of flag.getOptions()) options.set(option.getName().toLowerCase(), option.getValue() ?? '');
    const type = options.get('type') ?? 'bind';
    if (type !== 'bind') continue;
    mounts.push({ source: options.get('source') ?? options.get('src') ?? '.', from: options.get('from') });
  }
  return mounts;
}

/** ARG and ENV are property instructions: dockerfile-ast splits `NAME=value` pairs and handles quotes. */
type PropertyInstruction = Instruction & { getProperties(): Property[] };

function parseArgDeclarations(instruction: Instruction, line: number, fail: Fail): ArgDeclaration[] {
  const properties = (instruction as PropertyInstruction).getProperties();
  if (properties.length === 0) fail(line, 'ARG needs a name');
  return properties.map((property) => {
    const name = property.getName();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail(line, 'ARG name is not valid (letters, digits and "_", not starting with a digit)');
    const value = property.getValue();
    return value === null ? { name, line } : { name, defaultValue: value, line };
  });
}

function parseEnvPairs(instruction: Instruction, line: number, fail: Fail): Array<[string, string]> {
  const properties = (instruction as PropertyInstruction).getProperties();
  if (properties.length === 0) fail(line, 'ENV needs a name and a value');
  return properties.map((property) => [property.getName(), property.getValue() ?? '']);
}
