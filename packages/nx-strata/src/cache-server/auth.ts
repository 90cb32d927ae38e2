import { createHash, timingSafeEqual } from 'node:crypto';

export type Role = 'write' | 'read' | 'none';

/** Token roles: a write token may GET and PUT, a read token only GET. */
export interface TokenSets {
  read: string[];
  write: string[];
}

/** Tokens from `STRATA_CACHE_READ_TOKENS` / `STRATA_CACHE_WRITE_TOKENS` (comma-separated), never from flags. */
export function tokensFromEnv(env: NodeJS.ProcessEnv = process.env): TokenSets {
  const list = (value: string | undefined) =>
    (value ?? '')
      .split(',')
      .map((token) => token.trim())
      .filter(Boolean);
  return { read: list(env.STRATA_CACHE_READ_TOKENS), write: list(env.STRATA_CACHE_WRITE_TOKENS) };
}

/** The role of `Authorization: Bearer <token>`, comparing in constant time (digests of equal length). */
export function roleOf(authorization: string | undefined, tokens: TokenSets): Role {
  const presented = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim();
  if (!presented) return 'none';
  const digest = sha256(presented);
  let role: Role = 'none';
  // Compare against every token, without stopping early, so timing does not say which one matched.
  for (const token of tokens.write) if (timingSafeEqual(digest, sha256(token))) role = 'write';
  for (const token of tokens.read) if (timingSafeEqual(digest, sha256(token)) && role === 'none') role = 'read';
  return role;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
