import { expandVariables, referencesVariable } from './expand-variables';

const scope = new Map([
  ['APP', 'src'],
  ['EMPTY', ''],
  ['VERSION', '3.11'],
]);

describe('expandVariables', () => {
  test.each([
    ['${APP}/', 'src/'],
    ['$APP/main.py', 'src/main.py'],
    ['${MISSING}/x', '/x'],
    ['${MISSING:-fallback}', 'fallback'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${EMPTY-fallback}', ''],
    ['${MISSING-fallback}', 'fallback'],
    ['${APP:+set}', 'set'],
    ['${EMPTY:+set}', ''],
    ['${EMPTY+set}', 'set'],
    ['${MISSING:-${APP}}', 'src'],
    ['python:${VERSION}-slim', 'python:3.11-slim'],
    ['\\$APP', '$APP'],
    ['cost: $5', 'cost: $5'],
  ])('%s → %s', (text, expected) => {
    expect(expandVariables(text, scope)).toBe(expected);
  });
});

describe('referencesVariable', () => {
  test.each([
    ['${BASE_IMAGE}', true],
    ['$BASE_IMAGE', true],
    ['${BASE_IMAGE:-python:3.11}', true],
    ['${BASE_IMAGE_2}', false],
    ['$BASE_IMAGES', false],
    ['python:3.11-slim', false],
  ])('%s → %s', (text, expected) => {
    expect(referencesVariable(text, 'BASE_IMAGE')).toBe(expected);
  });
});
