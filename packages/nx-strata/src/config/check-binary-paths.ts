import { posix } from 'node:path';
import { failAtConfigPath } from './load-strata-config';
import type { StrataConfig } from './strata-config';
import { checkConfigPath } from './workspace-paths';

/**
 * Every path a binary names (`source`, `context`, `inputs`) must stay inside the workspace: `source` and `context` must
 * exist there as what the preset needs (a directory, or the pyinstaller Dockerfile), and input globs must not climb out
 * of it. Throws a StrataInputError naming the key and its strata.json line and column.
 */
export function checkBinaryPaths(workspaceRoot: string, configFile: string, config: StrataConfig): void {
  const projectRoot = posix.dirname(configFile);
  for (const [name, binary] of Object.entries(config.binaries ?? {})) {
    const at = ['binaries', name];
    const check = (key: 'source' | 'context', value: string | undefined, expect: 'file' | 'directory') => {
      if (value === undefined) return;
      const result = checkConfigPath(workspaceRoot, projectRoot, value, expect);
      if (!result.ok)
        failAtConfigPath(
          config,
          configFile,
          [...at, key],
          `binary "${name}": ${key} ${result.problem} (binaries.${name}.${key})`,
          result.hint,
        );
    };
    check('source', binary.source, binary.preset === 'pyinstaller' ? 'file' : 'directory');
    check('context', binary.context, 'directory');
    (binary.inputs ?? []).forEach((glob, index) => {
      const pattern = glob.startsWith('!') ? glob.slice(1) : glob;
      const joined = posix.normalize(posix.join(projectRoot, pattern));
      if (posix.isAbsolute(pattern) || joined === '..' || joined.startsWith('../')) {
        failAtConfigPath(
          config,
          configFile,
          [...at, 'inputs', index],
          `binary "${name}": input glob "${glob}" reaches outside the workspace (binaries.${name}.inputs[${index}])`,
          'list globs relative to strata.json that stay inside the workspace: Nx cannot see changes outside it',
        );
      }
    });
  }
}
