import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { StrataInputError } from './strata-error';

/** A key path into a JSON document: `["variants", "cpu", "layers", "base", "dockerfile"]`. */
export type JsonPath = Array<string | number>;

export interface JsonPosition {
  line: number;
  column: number;
}

/** Where a key path sits in the text: the property's key when it exists, else the nearest existing ancestor. */
export type JsonLocator = (path: JsonPath) => JsonPosition | undefined;

/**
 * Parses strict JSON with positions (jsonc-parser, comments and trailing commas refused). A syntax error names the
 * line and column and the kind of error, never the text around it: the file may not be what its name says.
 */
export function parseJsonWithPositions(source: string, file: string): { value: unknown; locate: JsonLocator } {
  // A UTF-8 byte order mark (editors on Windows write one) is no JSON; it is dropped, as Node's own JSON readers do.
  const text = source.startsWith('\uFEFF') ? source.slice(1) : source;
  const lineStarts = [0];
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) lineStarts.push(index + 1);
  const position = (offset: number): JsonPosition => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (lineStarts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - lineStarts[low] + 1 };
  };
  // Before parsing: the parser recurses once per level, and 100,000 levels overflow the stack.
  const tooDeep = nestingBeyond(text, MAX_NESTING);
  if (tooDeep !== undefined)
    throw new StrataInputError({
      file,
      ...position(tooDeep),
      problem: `nests objects and arrays more than ${MAX_NESTING} levels deep`,
      hint: 'a strata.json needs a handful of levels: remove the nesting',
    });
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  if (errors.length > 0 || tree === undefined) {
    const first = errors[0];
    const at = first ? position(first.offset) : { line: 1, column: 1 };
    throw new StrataInputError({
      file,
      ...at,
      problem: `is not valid JSON (${first ? printParseErrorCode(first.error) : 'empty file'})`,
      hint: 'fix the JSON syntax (strict JSON: no comments, no trailing commas)',
    });
  }
  const duplicate = firstDuplicateKey(tree);
  if (duplicate) {
    const first = position(duplicate.first);
    throw new StrataInputError({
      file,
      ...position(duplicate.second),
      problem: `has the key ${JSON.stringify(duplicate.key)} twice in one object (first at line ${first.line}, column ${first.column}); JSON would keep only the last`,
      hint: 'keep one of them',
    });
  }
  const locate: JsonLocator = (path) => {
    for (let length = path.length; length >= 0; length--) {
      const node = findNodeAtLocation(tree, path.slice(0, length));
      if (!node) continue;
      const anchor: Node = node.parent?.type === 'property' ? node.parent : node;
      return position(anchor.offset);
    }
    return undefined;
  };
  return { value: JSON.parse(text) as unknown, locate };
}

const MAX_NESTING = 64;

/** The offset of the first `{` or `[` that opens a level beyond `limit` (strings skipped), or undefined. */
function nestingBeyond(text: string, limit: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (inString) {
      if (character === '\\') index++;
      else if (character === '"') inString = false;
    } else if (character === '"') inString = true;
    else if (character === '{' || character === '[') {
      if (++depth > limit) return index;
    } else if (character === '}' || character === ']') depth--;
  }
  return undefined;
}

/** The first key an object holds twice, with the offsets of both properties (the tree is walked without recursion). */
function firstDuplicateKey(tree: Node): { key: string; first: number; second: number } | undefined {
  const pending: Node[] = [tree];
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (node.type === 'object') {
      const seen = new Map<string, number>();
      for (const property of node.children ?? []) {
        const key = property.children?.[0]?.value as string;
        const first = seen.get(key);
        if (first !== undefined) return { key, first, second: property.offset };
        seen.set(key, property.offset);
      }
    }
    for (const child of node.children ?? []) pending.push(child);
  }
  return undefined;
}

/** `layers.app.dockerfile`, `variants.cpu.platforms["linux/arm64"]`: how a key path reads in a message. */
export function formatJsonPath(path: JsonPath): string {
  return path
    .map((part, index) => {
      if (typeof part === 'number') return `[${part}]`;
      if (/^[A-Za-z_$][\w$-]*$/.test(part) && !part.includes('.')) return index === 0 ? part : `.${part}`;
      return `[${JSON.stringify(part)}]`;
    })
    .join('');
}
