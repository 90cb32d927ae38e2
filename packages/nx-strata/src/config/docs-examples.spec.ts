import Ajv from 'ajv';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '../../../..');
const DOCS = readdirSync(join(REPO, 'docs'))
  .filter((file) => file.endsWith('.md'))
  .sort();
const pages = ['README.md', ...DOCS.map((file) => `docs/${file}`)];
const read = (page: string) => readFileSync(join(REPO, page), 'utf8');

/** Every fenced ```json block of a page that is a whole strata.json (it has image, layers or binaries at its top). */
function strataExamples(page: string): Array<{ line: number; value: Record<string, unknown> }> {
  const examples: Array<{ line: number; value: Record<string, unknown> }> = [];
  const pattern = /^```json\n([\s\S]*?)^```$/gm;
  const text = read(page);
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const value = JSON.parse(match[1]) as Record<string, unknown>;
    if (['image', 'layers', 'binaries'].some((key) => key in value))
      examples.push({ line: text.slice(0, match.index).split('\n').length, value });
  }
  return examples;
}

describe('README and docs/', () => {
  const validate = new Ajv({ allErrors: true }).compile(JSON.parse(read('packages/nx-strata/strata.schema.json')));

  it('the README is a front door: under 15 KB, linking every page of docs/', () => {
    const readme = read('README.md');
    expect(Buffer.byteLength(readme)).toBeLessThan(15 * 1024);
    for (const file of DOCS) expect(readme).toContain(`](docs/${file})`);
  });

  it.each(pages)('every strata.json example in %s validates against strata.schema.json', (page) => {
    for (const { line, value } of strataExamples(page)) {
      // "$schema" points editors at the schema; the schema itself does not list it.
      const config = Object.fromEntries(Object.entries(value).filter(([key]) => key !== '$schema'));
      const valid = validate(config);
      expect({ where: `${page}:${line}`, errors: valid ? [] : validate.errors }).toEqual({ where: `${page}:${line}`, errors: [] });
    }
  });

  it("holds strata.json examples to check (the README's own among them)", () => {
    expect(strataExamples('README.md').length).toBeGreaterThan(0);
    expect(pages.flatMap((page) => strataExamples(page)).length).toBeGreaterThanOrEqual(5);
  });

  it('links only to pages and anchors that exist', () => {
    const slug = (heading: string) =>
      heading
        .trim()
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-');
    const anchorsOf = (page: string) =>
      new Set(
        read(page)
          .replace(/^```[\s\S]*?^```$/gm, '')
          .split('\n')
          .filter((line) => /^#{1,6} /.test(line))
          .map((line) => slug(line.replace(/^#+/, ''))),
      );
    for (const page of pages) {
      const base = page.includes('/') ? 'docs/' : '';
      for (const [, target, anchor] of read(page).matchAll(/\]\(([^)#\s]*)(?:#([^)\s]+))?\)/g)) {
        if (/^https?:/.test(target)) continue;
        const linked = target === '' ? page : join(base, target).split('\\').join('/');
        expect({ from: page, to: linked, exists: pages.includes(linked) || readdirSync(join(REPO, linked, '..')).length > 0 }).toEqual({
          from: page,
          to: linked,
          exists: true,
        });
        if (anchor && linked.endsWith('.md'))
          expect({ from: page, anchor: `${linked}#${anchor}`, found: anchorsOf(linked).has(anchor) }).toEqual({
            from: page,
            anchor: `${linked}#${anchor}`,
            found: true,
          });
      }
    }
  });
});
