/** A parsed `WWW-Authenticate` challenge: `Bearer realm="...",service="...",scope="..."` or `Basic realm="..."`. */
export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

export function parseWwwAuthenticate(header: string | null | undefined): AuthChallenge | undefined {
  if (!header) return undefined;
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  const pattern = /(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (let param = pattern.exec(match[2]); param; param = pattern.exec(match[2])) {
    params[param[1].toLowerCase()] = param[2] !== undefined ? param[2].replace(/\\(.)/g, '$1') : param[3];
  }
  return { scheme: match[1].toLowerCase(), params };
}
