import { appendToJsonArray, formattingOf, stringifyLike } from './json-text';

const ENTRY = { plugin: 'nx-strata', options: {} };
const add = (text: string) => appendToJsonArray(text, 'nx.json', ['plugins'], ENTRY);

describe('appendToJsonArray: a user file keeps every byte it had', () => {
  it('adds the array as the last key after an inline object, which stays inline (tabs)', () => {
    const text = '{\n\t"defaultBase": "main",\n\t"namedInputs": { "default": ["{projectRoot}/**/*"] }\n}\n';
    expect(add(text)).toBe(
      '{\n\t"defaultBase": "main",\n\t"namedInputs": { "default": ["{projectRoot}/**/*"] },\n\t"plugins": [\n\t\t{\n\t\t\t"plugin": "nx-strata",\n\t\t\t"options": {}\n\t\t}\n\t]\n}\n',
    );
  });

  it('appends inline to an inline array, on a line of its own to a multi-line one (4 spaces, comments kept)', () => {
    expect(add('{\n    // ours\n    "plugins": ["@nx/js/typescript"],\n    "x": 1\n}\n')).toBe(
      '{\n    // ours\n    "plugins": ["@nx/js/typescript", { "plugin": "nx-strata", "options": {} }],\n    "x": 1\n}\n',
    );
    expect(add('{\n    "plugins": [\n        "@nx/js/typescript"\n    ]\n}\n')).toBe(
      '{\n    "plugins": [\n        "@nx/js/typescript",\n        {\n            "plugin": "nx-strata",\n            "options": {}\n        }\n    ]\n}\n',
    );
  });

  it('fills an empty array and an empty object, and keeps CRLF line ends', () => {
    expect(add('{\r\n  "plugins": []\r\n}\r\n')).toBe(
      '{\r\n  "plugins": [\r\n    {\r\n      "plugin": "nx-strata",\r\n      "options": {}\r\n    }\r\n  ]\r\n}\r\n',
    );
    expect(JSON.parse(add('{}\n'))).toEqual({ plugins: [ENTRY] });
  });

  it('refuses a file that is not JSON or whose plugins is not an array, naming the file and line', () => {
    expect(() => add('{\n  "plugins": [\n}\n')).toThrow(/nx\.json is not valid JSON \(line \d\)/);
    expect(() => add('{ "plugins": "nx-strata" }')).toThrow('nx.json: "plugins" is not an array');
  });
});

describe('formattingOf / stringifyLike', () => {
  it('writes a new file in the indentation of its neighbour', () => {
    expect(stringifyLike({ a: [1] }, formattingOf('{\n\t"x": 1\n}\n'))).toBe('{\n\t"a": [\n\t\t1\n\t]\n}\n');
    expect(stringifyLike({ a: 1 }, formattingOf('{\n    "x": 1\n}\n'))).toBe('{\n    "a": 1\n}\n');
    expect(stringifyLike({ a: 1 }, formattingOf('{}'))).toBe('{\n  "a": 1\n}\n');
  });
});
