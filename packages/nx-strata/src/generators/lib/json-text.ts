import { findNodeAtLocation, parse, parseTree, type FormattingOptions, type ParseError } from 'jsonc-parser';

/**
 * The indentation and line ends a JSON(C) text already uses: tabs or the width of its first indented line, and its
 * first line end. Generators edit a user's file with these, so it keeps the formatting its owner (or prettier) gave it.
 */
export function formattingOf(text: string): FormattingOptions {
  const indented = /^([ \t]+)\S/m.exec(text)?.[1];
  const eol = /\r\n/.test(text) ? '\r\n' : '\n';
  if (indented?.startsWith('\t')) return { insertSpaces: false, tabSize: 1, eol };
  return { insertSpaces: true, tabSize: indented ? indented.length : 2, eol };
}

/** The JSON(C) text parsed, or an error naming the file and the offset of the first problem. */
export function parseJsonText<T>(text: string, file: string): T {
  const errors: ParseError[] = [];
  const value = parse(text, errors, { allowTrailingComma: true, disallowComments: false }) as T;
  if (errors.length > 0) {
    const line = text.slice(0, errors[0].offset).split('\n').length;
    throw new Error(`${file} is not valid JSON (line ${line}): fix it, then run the generator again`);
  }
  return value;
}

/**
 * `text` with `value` appended to the array at `path` (the array created when missing, as the last key of its object),
 * every other byte unchanged: comments, key order, inline arrays and objects, indentation and line ends stay as they
 * were. The new text follows the file: an inline array gets an inline element, a multi-line one a line of its own.
 */
export function appendToJsonArray(text: string, file: string, path: string[], value: unknown): string {
  parseJsonText(text, file);
  const format = formattingOf(text);
  const unit = format.insertSpaces === false ? '\t' : ' '.repeat(format.tabSize ?? 2);
  const eol = format.eol ?? '\n';
  const root = parseTree(text);
  const array = root ? findNodeAtLocation(root, path) : undefined;
  if (array?.type === 'array') {
    const close = array.offset + array.length - 1;
    const last = array.children?.[array.children.length - 1];
    if (!last) {
      const indent = indentationAt(text, array.offset);
      return splice(text, array.offset, array.length, `[${eol}${indent}${unit}${pretty(value, unit, eol, indent + unit)}${eol}${indent}]`);
    }
    const end = last.offset + last.length;
    if (!text.slice(array.offset, close).includes('\n'))
      return splice(text, end, 0, `, ${JSON.stringify(value, null, 1).replace(/\n\s*/g, ' ')}`);
    const indent = indentationAt(text, last.offset);
    return splice(text, end, 0, `,${eol}${indent}${pretty(value, unit, eol, indent)}`);
  }
  if (array !== undefined) throw new Error(`${file}: "${path.join('.')}" is not an array: make it one, then run the generator again`);
  // The array is missing: a new last key of the object that should hold it.
  const parent = root ? findNodeAtLocation(root, path.slice(0, -1)) : undefined;
  if (parent?.type !== 'object')
    throw new Error(`${file}: "${path.slice(0, -1).join('.') || 'the top level'}" is not an object: fix it, then run the generator again`);
  const key = JSON.stringify(path[path.length - 1]);
  const lastProperty = parent.children?.[parent.children.length - 1];
  if (!lastProperty) {
    const indent = indentationAt(text, parent.offset);
    const body = `${key}: [${eol}${indent}${unit}${unit}${pretty(value, unit, eol, indent + unit + unit)}${eol}${indent}${unit}]`;
    return splice(text, parent.offset, parent.length, `{${eol}${indent}${unit}${body}${eol}${indent}}`);
  }
  const indent = indentationAt(text, lastProperty.offset);
  const body = `${key}: [${eol}${indent}${unit}${pretty(value, unit, eol, indent + unit)}${eol}${indent}]`;
  return splice(text, lastProperty.offset + lastProperty.length, 0, `,${eol}${indent}${body}`);
}

/** `value` as indented JSON whose lines after the first start at `indent`. */
function pretty(value: unknown, unit: string, eol: string, indent: string): string {
  return JSON.stringify(value, null, unit).split('\n').join(`${eol}${indent}`);
}

/** The whitespace that starts the line holding `offset`. */
function indentationAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

function splice(text: string, offset: number, length: number, insert: string): string {
  return text.slice(0, offset) + insert + text.slice(offset + length);
}

/** `value` as JSON in the indentation `like` uses (a new file beside a user's own), with a final line end. */
export function stringifyLike(value: unknown, like: FormattingOptions): string {
  const indent = like.insertSpaces === false ? '\t' : ' '.repeat(like.tabSize ?? 2);
  return `${JSON.stringify(value, null, indent)
    .split('\n')
    .join(like.eol ?? '\n')}${like.eol ?? '\n'}`;
}
