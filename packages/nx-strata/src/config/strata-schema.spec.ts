import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { validateStrataConfig } from './load-strata-config';

const repoRoot = join(__dirname, '../../../..');
const schema = JSON.parse(readFileSync(join(repoRoot, 'packages/nx-strata/strata.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true }).compile(schema);
const read = (path: string) => JSON.parse(readFileSync(join(repoRoot, path), 'utf8'));

describe('strata.schema.json', () => {
  test.each([
    'examples/vision/strata.json',
    'e2e/nx-strata-e2e/fixtures/per-directory/strata.json',
    'e2e/nx-strata-e2e/fixtures/go-cli/strata.json',
    'e2e/nx-strata-e2e/fixtures/rust-cli/strata.json',
    'e2e/nx-strata-e2e/fixtures/verified/strata.json',
  ])('accepts %s, as the loader does', (path) => {
    const config = read(path);
    expect(validate(config)).toBe(true);
    expect(() => validateStrataConfig(config, path)).not.toThrow();
  });

  test.each([
    ['an unknown platform', { image: 'acme/x', platforms: ['linux/sparc'], layers: { a: 'a' } }],
    ['an unknown key', { image: 'acme/x', layers: { a: 'a' }, registry: 'x' }],
    ['a layer without dockerfile', { image: 'acme/x', layers: { a: { parent: 'b' } } }],
    ['an upper-case image', { image: 'Acme/X', layers: { a: 'a' } }],
    ['a smoke command given as a string', { image: 'acme/x', layers: { a: { dockerfile: 'D', test: { smoke: [{ command: 'x' }] } } } }],
    ['a scan without a scanner', { image: 'acme/x', layers: { a: 'a' }, scan: { severity: 'high' } }],
    ['an unknown scanner', { image: 'acme/x', layers: { a: 'a' }, scan: { scanner: 'clair' } }],
    ['an unknown scan severity', { image: 'acme/x', layers: { a: 'a' }, scan: { scanner: 'trivy', severity: 'severe' } }],
  ])('rejects %s, as the loader does', (_name, config) => {
    expect(validate(config)).toBe(false);
    expect(() => validateStrataConfig(structuredClone(config), 'strata.json')).toThrow();
  });
});
