import { cpSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { logger } from 'nx/src/devkit-exports';
import { COMMAND_FLAGS } from '../cli/main';
import { createTempWorkspace } from './temp-workspace';

const VISION = resolve(__dirname, '../../../../examples/vision');

/** Each test gets a fresh copy of the example workspace; returns a getter for its root. */
export function useVisionWorkspace(): () => string {
  let root = '';
  beforeEach(() => {
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    root = createTempWorkspace({});
    cpSync(VISION, root, { recursive: true, filter: (source) => !/node_modules|[/\\]dist$|[/\\]\.nx$/.test(source) });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(root, { recursive: true, force: true });
  });
  return () => root;
}

/**
 * A generated pipeline runs only commands that exist: an nx-strata command with the flags the CLI takes, or nx with
 * targets the plugin infers (the job's own variables aside). `words` is one `npx ...` line, split as a shell would.
 */
export function expectKnownCommand(words: string[]): void {
  if (words[1] === 'nx-strata') {
    expect(Object.keys(COMMAND_FLAGS)).toContain(words[2]);
    for (const flag of words.filter((word) => word.startsWith('--')))
      expect(COMMAND_FLAGS[words[2]]).toContain(flag.slice(2).split('=')[0]);
    return;
  }
  const targets = words.flatMap((word, index) =>
    words[index - 1] === '-t' ? [word] : word.includes(':') && words[index - 1] === 'run' ? [word.split(':')[1]] : [],
  );
  for (const target of targets) expect(['docker-build', 'docker-publish', 'docker-lint', '$TARGET', '$VERIFY']).toContain(target);
}
