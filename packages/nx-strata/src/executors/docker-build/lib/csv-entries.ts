/**
 * buildx's CSV list options (`--cache-from`, `--cache-to`, `--secret`) as whole entries. Nx splits an array option
 * given on the command line at every comma (`--cacheFrom=type=registry,ref=X` arrives as `type=registry` and
 * `ref=X`): a piece whose key the entry being rebuilt does not have yet goes back into it; a key it already has
 * (a second `type=` or `id=`) or a bare value (`user/app:cache`) starts the next entry.
 */
export function rejoinCsvEntries(values: string | readonly string[] | undefined): string[] {
  const pieces = (typeof values === 'string' ? [values] : (values ?? [])).flatMap((value) => value.split(','));
  const entries: Array<{ text: string; keys: Set<string>; bare: boolean }> = [];
  for (const piece of pieces) {
    if (piece.trim() === '') continue;
    const equals = piece.indexOf('=');
    const key = equals > 0 ? piece.slice(0, equals).trim() : undefined;
    const current = entries[entries.length - 1];
    if (current && !current.bare && key !== undefined && !current.keys.has(key)) {
      current.text += `,${piece}`;
      current.keys.add(key);
    } else entries.push({ text: piece, keys: new Set(key !== undefined ? [key] : []), bare: key === undefined });
  }
  return entries.map((entry) => entry.text);
}
