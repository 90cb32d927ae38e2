import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * One-way layering of the plugin's folders (see ARCHITECTURE.md): each folder may import only the folders listed for it.
 * A lower folder never imports a higher one; the top folders (plugins, executors, generators, cli) do not import each
 * other, except that plugins may import the executors' option types (the contract between a target and its executor).
 */
const SRC = 'packages/nx-strata/src';
const MAY_IMPORT = {
  utils: [],
  config: ['utils'],
  dockerfile: ['config', 'utils'],
  hash: ['config', 'dockerfile', 'utils'],
  model: ['config', 'dockerfile', 'hash', 'utils'],
  engines: ['utils'],
  publish: ['config', 'model', 'utils'],
  release: ['utils'],
  binaries: ['config', 'model', 'engines', 'utils'],
  'cache-server': ['config', 'engines', 'utils'],
  report: ['config', 'model', 'utils'],
  lint: ['config', 'dockerfile', 'utils'],
  scan: ['config', 'engines', 'utils'],
  plugins: ['config', 'dockerfile', 'hash', 'model', 'engines', 'publish', 'release', 'binaries', 'lint', 'scan', 'utils'],
  executors: ['config', 'dockerfile', 'hash', 'model', 'engines', 'publish', 'release', 'binaries', 'lint', 'scan', 'utils'],
  generators: ['config', 'dockerfile', 'hash', 'model', 'engines', 'utils'],
  cli: ['config', 'dockerfile', 'hash', 'model', 'engines', 'publish', 'binaries', 'cache-server', 'report', 'utils'],
};
const FOLDERS = [...Object.keys(MAY_IMPORT), 'test-utils'];
/** Nx comes from the workspace's own `nx` (a peer, Nx 21 to 24): @nx/devkit's majors each accept only some Nx majors. */
const NX_DEVKIT = {
  group: ['@nx/devkit', '@nx/devkit/*'],
  message: "import from 'nx/src/devkit-exports' (what @nx/devkit re-exports): the workspace's own Nx then answers, whatever its major",
};
const layering = Object.entries(MAY_IMPORT).map(([folder, allowed]) => ({
  files: [`${SRC}/${folder}/**/*.ts`],
  ignores: ['**/*.spec.ts'],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        patterns: [
          NX_DEVKIT,
          ...FOLDERS.filter(
            (other) => other !== folder && !allowed.includes(other) && !(folder === 'plugins' && other === 'executors'),
          ).map((other) => ({
            group: [`**/${other}/**`, `../${other}`, `../../${other}`],
            message: `${folder}/ may import only ${allowed.join(', ') || 'nothing of src/'} (see ARCHITECTURE.md): move the shared code down, or this code up`,
          })),
          ...(folder === 'plugins'
            ? [
                {
                  group: ['**/executors/**'],
                  allowTypeImports: true,
                  message: "plugins/ may import only the executors' option types (import type)",
                },
              ]
            : []),
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.nx/**', 'examples/**', 'tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        exports: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  ...layering,
  { files: [`${SRC}/**/*.spec.ts`], rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [NX_DEVKIT] }] } },
  {
    rules: {
      'no-empty': ['error', { allowEmptyCatch: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
);
