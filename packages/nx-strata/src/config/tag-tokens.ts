/** Every token a publish tag template may use (rendered by publish/tag-templates.ts). */
export const TAG_TOKENS = ['version', 'major', 'minor', 'patch', 'sha', 'branch', 'date', 'variant', 'platform'] as const;

/** `{version}, {major}, ... and {platform}`: how messages list the tokens. */
export const TAG_TOKENS_TEXT = `${TAG_TOKENS.slice(0, -1)
  .map((token) => `{${token}}`)
  .join(', ')} and {${TAG_TOKENS[TAG_TOKENS.length - 1]}}`;
