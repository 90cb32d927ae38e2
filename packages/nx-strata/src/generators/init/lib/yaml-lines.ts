import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';

/** The line (1-based) of a map key (`services:` → `api:`) or a sequence item (`- uses: ...`) at `path`: what a finding names. */
export function lineOf(document: Document, lineCounter: LineCounter, path: Array<string | number>): number | undefined {
  let node: unknown = document.contents;
  let offset: number | undefined;
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => (item.key as { value?: unknown } | null)?.value === step);
      if (!pair) return undefined;
      offset = (pair.key as { range?: [number, number, number] }).range?.[0];
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number') {
      node = node.items[step];
      offset = (node as { range?: [number, number, number] } | undefined)?.range?.[0];
    } else return undefined;
  }
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}

/**
 * The first line (1-based) at or after line `from` of `text` that `matches` (trimmed): where a value inside a block
 * (a tag rule, a command of a `run:` script) is written. Undefined when none does.
 */
export function lineAtOrAfter(text: string, from: number, matches: (trimmed: string) => boolean): number | undefined {
  const lines = text.split('\n');
  for (let index = Math.max(from - 1, 0); index < lines.length; index++) if (matches(lines[index].trim())) return index + 1;
  return undefined;
}

/** A YAML file read as init reads build files: its value and the line of a path in it; undefined when it is not valid YAML. */
export function parseYaml(text: string): { value: unknown; lineOf: (path: Array<string | number>) => number | undefined } | undefined {
  try {
    const lineCounter = new LineCounter();
    const document = parseDocument(text, { prettyErrors: false, logLevel: 'silent', lineCounter });
    if (document.errors.length) return undefined;
    return { value: document.toJS(), lineOf: (path) => lineOf(document, lineCounter, path) };
  } catch {
    return undefined;
  }
}
