/**
 * Expands `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `${NAME:+word}` and `${NAME+word}` the way
 * BuildKit's Dockerfile frontend does for ARG and ENV values. An unset variable expands to ''.
 * `\$` stays a literal `$`.
 */
export function expandVariables(text: string, scope: ReadonlyMap<string, string>): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\\' && text[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    if (char !== '$') {
      out += char;
      continue;
    }
    if (text[i + 1] === '{') {
      const close = findClosingBrace(text, i + 2);
      if (close === -1) {
        out += text.slice(i);
        break;
      }
      out += expandBraced(text.slice(i + 2, close), scope);
      i = close;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1))?.[0];
    if (!name) {
      out += '$';
      continue;
    }
    out += scope.get(name) ?? '';
    i += name.length;
  }
  return out;
}

function findClosingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function expandBraced(body: string, scope: ReadonlyMap<string, string>): string {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])(.*))?$/s.exec(body);
  if (!match) return '';
  const [, name, operator, word = ''] = match;
  const value = scope.get(name);
  const isSet = value !== undefined;
  const isNonEmpty = isSet && value !== '';
  switch (operator) {
    case ':-':
      return isNonEmpty ? value : expandVariables(word, scope);
    case '-':
      return isSet ? value : expandVariables(word, scope);
    case ':+':
      return isNonEmpty ? expandVariables(word, scope) : '';
    case '+':
      return isSet ? expandVariables(word, scope) : '';
    default:
      return value ?? '';
  }
}

/** Whether `text` refers to variable `name` (`$NAME` or `${NAME...}`). */
export function referencesVariable(text: string, name: string): boolean {
  return new RegExp(`\\$(\\{${name}(?=[}:+-])|${name}(?![A-Za-z0-9_]))`).test(text);
}
