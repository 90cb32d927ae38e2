import { resolveImageDigest } from '../engines/buildx';
import { cacheServer } from './cache-server';
import { gc } from './gc';
import { inspect } from './inspect';
import { matrix } from './matrix';
import { report } from './report';

const USAGE = `usage: nx-strata <command>

commands:
  inspect [strata.json] [--json]     list every layer task: parent, platform, Dockerfile, exact inputs, current key
  inspect --why <target>             which inputs changed since that layer task last built
  inspect --binaries [--json]        every (binary, platform) and whether this host can build it
  matrix [--base <ref>] [--head <ref>] [--runner <label>] [--arm64-runner <label>] [--format json|gitlab]
                                     print {"include":[...]} of the (project, platform) pairs a change affects, for a
                                     CI matrix (base: nx.json defaultBase or main; head: HEAD); --format gitlab prints
                                     them as the jobs of a GitLab child pipeline (labels are then runner tags)
  report [--markdown <file|->] [--html <file|->] [--last <runs>] [--history-dir <dir>]
                                     the build history: hit rate, time spent and saved, slowest layers, by platform
                                     and variant; Markdown for a CI job summary; a self-contained HTML page with charts
  gc [--delete]                      list (and delete) content-addressed tags in the build registry that no
                                     current layer key or published tag uses
  cache-server --storage <file:///dir | oci://host:port/repo> [--port 3535] [--host 127.0.0.1] [--max-upload-mb 2048]
                                     Nx's self-hosted remote cache; tokens from STRATA_CACHE_WRITE_TOKENS and
                                     STRATA_CACHE_READ_TOKENS (comma-separated)
  resolve-digest <image>
                                     print the digest an image tag resolves to now (used by pinBaseImages)
  help                               this text`;

/** The nx-strata command line. Returns the process exit code. */
export async function main(argv: string[], out: (text: string) => void = (text) => console.log(text)): Promise<number> {
  const [command, ...rest] = argv;
  const flags = parseFlags(rest);
  const known = command !== undefined ? COMMAND_FLAGS[command] : undefined;
  const unknown = known ? [...flags.booleans, ...flags.values.keys()].filter((flag) => !known.includes(flag)) : [];
  if (unknown.length > 0) {
    out(
      `nx-strata ${command}: unknown option${unknown.length === 1 ? '' : 's'} ${unknown.map((flag) => `--${flag}`).join(', ')}${known!.length ? ` (it takes ${known!.map((flag) => `--${flag}`).join(', ')})` : ''}\n\n${USAGE}`,
    );
    return 2;
  }
  switch (command) {
    case 'inspect':
      return inspect({
        cwd: process.cwd(),
        configFile: flags.positional[0],
        json: flags.booleans.has('json'),
        why: flags.values.get('why'),
        binaries: flags.booleans.has('binaries'),
        out,
      });
    case 'cache-server':
      return cacheServer({
        port: flags.values.get('port'),
        host: flags.values.get('host'),
        storage: flags.values.get('storage'),
        maxUploadMb: flags.values.get('max-upload-mb'),
        out,
      });
    case 'matrix':
      return matrix({
        cwd: process.cwd(),
        base: flags.values.get('base'),
        head: flags.values.get('head'),
        runner: flags.values.get('runner'),
        arm64Runner: flags.values.get('arm64-runner'),
        format: flags.values.get('format'),
        out,
      });
    case 'report':
      return report({
        cwd: process.cwd(),
        historyDir: flags.values.get('history-dir'),
        last: flags.values.get('last'),
        markdown: flags.values.get('markdown'),
        html: flags.values.get('html'),
        out,
      });
    case 'gc':
      return gc({ cwd: process.cwd(), delete: flags.booleans.has('delete'), out });
    case 'resolve-digest': {
      const ref = flags.positional[0];
      if (!ref) {
        out(USAGE);
        return 2;
      }
      out(`${ref} ${(await resolveImageDigest(ref)) ?? 'unresolved'}`);
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out(USAGE);
      return command === undefined ? 2 : 0;
    default:
      out(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

/** Every command and the flags it takes (generated CI files are checked against this). */
export const COMMAND_FLAGS: Record<string, readonly string[]> = {
  inspect: ['json', 'why', 'binaries'],
  matrix: ['base', 'head', 'runner', 'arm64-runner', 'format'],
  report: ['markdown', 'html', 'last', 'history-dir'],
  gc: ['delete'],
  'cache-server': ['port', 'host', 'storage', 'max-upload-mb'],
  'resolve-digest': [],
  help: [],
};

/** Flags that take a value (`--name value` or `--name=value`); the others are switches. */
export const VALUE_FLAGS = new Set([
  'why',
  'port',
  'host',
  'storage',
  'max-upload-mb',
  'base',
  'head',
  'runner',
  'arm64-runner',
  'format',
  'history-dir',
  'last',
  'markdown',
  'html',
]);

function parseFlags(args: string[]): { positional: string[]; booleans: Set<string>; values: Map<string, string> } {
  const positional: string[] = [];
  const booleans = new Set<string>();
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (VALUE_FLAGS.has(name)) values.set(name, inline ?? args[++i] ?? '');
    else booleans.add(name);
  }
  return { positional, booleans, values };
}
