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
export function parseJsonWithPositions(text: string, file: string): { value: unknown; locate: JsonLocator } {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
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
