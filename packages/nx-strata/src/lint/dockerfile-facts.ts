import { DockerfileParser, type Flag, type Instruction, type Property } from 'dockerfile-ast';

/** Where something is in a Dockerfile: 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

/** What the policy rules read of one stage. */
export interface StageFacts {
  /** The image text after FROM, unexpanded. */
  from: string;
  /** `AS <name>`, lower-cased. */
  name?: string;
  at: Position;
  /** The last USER of the stage, if any. */
  user?: { value: string; at: Position };
  /** The last HEALTHCHECK of the stage: `none` for HEALTHCHECK NONE. */
  healthcheck?: { none: boolean; at: Position };
  /** ENV and ARG names declared in the stage. */
  variables: Array<{ kind: 'ENV' | 'ARG'; name: string; at: Position }>;
  /** RUN commands (heredoc bodies included) with the types of their mounts. */
  runs: Array<{ text: string; mountTypes: string[]; mountTargets: string[]; at: Position }>;
  /** ADD sources with whether --checksum was given. */
  adds: Array<{ sources: string[]; checksum: boolean; at: Position }>;
}

export interface DockerfileFacts {
  /** ARGs before the first FROM (with default values, unexpanded). */
  globalArgs: Array<{ name: string; defaultValue?: string; at: Position }>;
  stages: StageFacts[];
}

type RichInstruction = Instruction & { getFlags?: () => Flag[] };
type PropertyInstruction = Instruction & { getProperties(): Property[] };

const positionOf = (instruction: Instruction): Position => ({
  line: instruction.getRange().start.line + 1,
  column: instruction.getRange().start.character + 1,
});

/**
 * The facts the Dockerfile policy needs, read with dockerfile-ast. Tolerant: the build's own parse (which names the
 * line of anything docker would reject) runs first, so anything odd here is skipped rather than reported twice.
 */
export function readDockerfileFacts(text: string): DockerfileFacts {
  const facts: DockerfileFacts = { globalArgs: [], stages: [] };
  const lines = text.split(/\r?\n/);
  let stage: StageFacts | undefined;
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    const keyword = instruction.getKeyword().toUpperCase();
    const at = positionOf(instruction);
    if (keyword === 'FROM') {
      const words = instruction
        .getArguments()
        .map((argument) => argument.getValue())
        .filter((word) => !word.startsWith('--'));
      stage = { from: words[0] ?? '', name: words[2]?.toLowerCase(), at, variables: [], runs: [], adds: [] };
      facts.stages.push(stage);
      continue;
    }
    if (!stage) {
      if (keyword === 'ARG')
        for (const property of (instruction as PropertyInstruction).getProperties())
          facts.globalArgs.push({
            name: property.getName(),
            ...(property.getValue() !== null ? { defaultValue: property.getValue()! } : {}),
            at,
          });
      continue;
    }
    switch (keyword) {
      case 'USER':
        stage.user = { value: (instruction.getArgumentsContent() ?? '').trim(), at };
        break;
      case 'HEALTHCHECK':
        stage.healthcheck = { none: (instruction.getArguments()[0]?.getValue() ?? '').toUpperCase() === 'NONE', at };
        break;
      case 'ENV':
      case 'ARG':
        for (const property of (instruction as PropertyInstruction).getProperties())
          stage.variables.push({ kind: keyword, name: property.getName(), at });
        break;
      case 'RUN': {
        const mounts = ((instruction as RichInstruction).getFlags?.() ?? []).filter((flag) => flag.getName().toLowerCase() === 'mount');
        const options = mounts.map(
          (flag) => new Map(flag.getOptions().map((option) => [option.getName().toLowerCase(), option.getValue() ?? ''])),
        );
        // The instruction's own lines, heredoc bodies and continuation lines included.
        const range = instruction.getRange();
        stage.runs.push({
          text: lines.slice(range.start.line, range.end.line + 1).join('\n'),
          mountTypes: options.map((option) => option.get('type') ?? 'bind'),
          mountTargets: options.map((option) => option.get('target') ?? option.get('dst') ?? option.get('destination') ?? ''),
          at,
        });
        break;
      }
      case 'ADD': {
        const flags = (instruction as RichInstruction).getFlags?.() ?? [];
        const words = instruction
          .getArguments()
          .map((argument) => argument.getValue())
          .filter((word) => !word.startsWith('--'));
        stage.adds.push({ sources: words.slice(0, -1), checksum: flags.some((flag) => flag.getName().toLowerCase() === 'checksum'), at });
        break;
      }
      default:
        break;
    }
  }
  return facts;
}
