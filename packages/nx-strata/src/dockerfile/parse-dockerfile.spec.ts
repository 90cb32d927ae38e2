import { StrataInputError } from '../config/strata-error';
import { parseDockerfile } from './parse-dockerfile';

function errorOf(text: string): StrataInputError {
  try {
    parseDockerfile(text, 'docker/app/Dockerfile');
  } catch (error) {
    return error as StrataInputError;
  }
  throw new Error('expected parseDockerfile to throw');
}

describe('parseDockerfile', () => {
  it('keeps global ARGs, stages and their COPY/ADD/bind-mount sources', () => {
    const model = parseDockerfile(
      [
        'ARG BASE_IMAGE=base',
        'FROM ${BASE_IMAGE} AS Build',
        'ARG APP=src',
        'ENV HOME_DIR=/opt QUOTED="a b"',
        'COPY --chmod=755 ${APP}/ ./app/',
        'COPY --from=deps /venv /venv',
        'ADD --checksum=sha256:abc https://example.com/a.tgz /a',
        'RUN --mount=type=bind,source=scripts,target=/s --mount=type=cache,target=/c sh /s/run.sh',
        'FROM build',
      ].join('\n'),
      'Dockerfile',
    );
    expect(model.globalArgs).toEqual([{ name: 'BASE_IMAGE', defaultValue: 'base', line: 1 }]);
    expect(model.stages.map((stage) => [stage.name, stage.from, stage.line])).toEqual([
      ['build', '${BASE_IMAGE}', 2],
      [undefined, 'build', 9],
    ]);
    expect(model.stages[0].instructions).toEqual([
      { kind: 'arg', declarations: [{ name: 'APP', defaultValue: 'src', line: 3 }], line: 3 },
      {
        kind: 'env',
        pairs: [
          ['HOME_DIR', '/opt'],
          ['QUOTED', 'a b'],
        ],
        line: 4,
      },
      { kind: 'copy', sources: ['${APP}/'], from: undefined, line: 5 },
      { kind: 'copy', sources: ['/venv'], from: 'deps', line: 6 },
      { kind: 'add', sources: ['https://example.com/a.tgz'], checksum: 'sha256:abc', line: 7 },
      { kind: 'run-mount', mounts: [{ source: 'scripts', from: undefined }], line: 8 },
    ]);
  });

  it('reads the JSON form of COPY with spaces in paths', () => {
    const model = parseDockerfile('FROM scratch\nCOPY ["docker/common/entry point.sh", "requirements/app.txt", "/x/"]\n', 'Dockerfile');
    expect(model.stages[0].instructions).toEqual([
      { kind: 'copy', sources: ['docker/common/entry point.sh', 'requirements/app.txt'], from: undefined, line: 2 },
    ]);
  });

  it('does not treat heredoc bodies as COPY sources', () => {
    const model = parseDockerfile('FROM scratch\nCOPY <<EOF /etc/config\nsrc/not-a-file\nEOF\nCOPY real.txt /real.txt\n', 'Dockerfile');
    expect(model.stages[0].instructions).toEqual([
      { kind: 'copy', sources: [], from: undefined, line: 2 },
      { kind: 'copy', sources: ['real.txt'], from: undefined, line: 5 },
    ]);
  });

  it('reads a bind mount without source as the whole context, and keeps parser directives', () => {
    const model = parseDockerfile('# syntax=docker/dockerfile:1.7\nFROM scratch\nRUN --mount=target=/src make\n', 'Dockerfile');
    expect(model.directives).toEqual({ syntax: 'docker/dockerfile:1.7' });
    expect(model.stages[0].instructions).toEqual([{ kind: 'run-mount', mounts: [{ source: '.', from: undefined }], line: 3 }]);
  });

  test.each([
    ['an unknown instruction', 'FROM scratch\nCOPY a b\nCOPPY src/ /src/\n', 3, 'unknown instruction "COPPY"'],
    ['no FROM', 'ARG X=1\n', 1, 'no FROM instruction'],
    ['an instruction before FROM', 'RUN echo\nFROM scratch\n', 1, 'RUN before the first FROM'],
    ['COPY without destination', 'FROM scratch\nCOPY onlyone\n', 2, 'COPY needs at least one source and a destination'],
    ['a bad FROM', 'FROM a b c d\n', 1, 'FROM takes "<image> [AS <name>]"'],
  ])('rejects %s with file and line', (_name, text, line, problem) => {
    const error = errorOf(text);
    expect(error).toBeInstanceOf(StrataInputError);
    expect(error.file).toBe('docker/app/Dockerfile');
    expect(error.line).toBe(line);
    expect(error.message).toContain(`docker/app/Dockerfile:${line}: ${problem}`);
    expect(error.message).toContain('→');
  });
});
