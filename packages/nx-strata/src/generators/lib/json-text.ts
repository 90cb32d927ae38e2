import { applyEdits, modify, parse, type FormattingOptions, type ParseError } from 'jsonc-parser';

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
 * `text` with `value` appended to the array at `path` (the array created when missing), every other byte unchanged:
 * comments, key order, inline arrays and indentation stay as they were.
 */
export function appendToJsonArray(text: string, file: string, path: string[], value: unknown): string {
  const formattingOptions = formattingOf(text);
  const current = path.reduce<unknown>(
    (node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined),
    parseJsonText(text, file),
  );
  const edits = Array.isArray(current)
    ? modify(text, [...path, current.length], value, { formattingOptions, isArrayInsertion: true })
    : modify(text, path, [value], { formattingOptions });
  return applyEdits(text, edits);
}

/** `value` as JSON in the indentation `like` uses (a new file beside a user's own), with a final line end. */
export function stringifyLike(value: unknown, like: FormattingOptions): string {
  const indent = like.insertSpaces === false ? '\t' : ' '.repeat(like.tabSize ?? 2);
  return `${JSON.stringify(value, null, indent)
    .split('\n')
    .join(like.eol ?? '\n')}${like.eol ?? '\n'}`;
}
