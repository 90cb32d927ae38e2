import type { LayerRecord } from '../model/layer-record';
import type { LayerKey } from '../hash/layer-key';

/** Says which inputs of a layer changed since its last build (its record) and what that does to its key. */
export function explainChanges(input: {
  target: string;
  record: LayerRecord | undefined;
  current: LayerKey;
  args: Record<string, string>;
  parentArg: string;
  parentKey: string | null;
  /** The task whose outputs hold a context-relative path, if any (`api:build`). */
  producerOf?: (path: string) => string | undefined;
}): string {
  const { record, current } = input;
  if (!record) return `${input.target}: never built here (no record), so everything is new. Current key ${current.key}.`;
  if (record.key === current.key) return `${input.target}: nothing changed since it was built at ${record.builtAt} (key ${current.key}).`;

  const lines = [`${input.target}: key ${record.key} (built ${record.builtAt}) → ${current.key} now, because:`];
  const before = record.inputs;
  const after = current.files;
  for (const path of Object.keys(after).sort()) {
    if (!(path in before)) lines.push(`  + ${path} (new input)`);
    else if (before[path] !== after[path]) {
      const modeOnly = before[path].replace('+x', '') === after[path].replace('+x', '');
      const producer = input.producerOf?.(path);
      lines.push(`  ~ ${path} (${modeOnly ? 'executable bit changed' : 'content changed'}${producer ? `: an output of ${producer}` : ''})`);
    }
  }
  for (const path of Object.keys(before).sort()) if (!(path in after)) lines.push(`  - ${path} (no longer read)`);
  if (record.dockerfileHash !== current.dockerfileHash) lines.push(`  ~ ${record.dockerfile} (the Dockerfile changed)`);
  const recordedArgs = { ...record.args };
  const currentArgs = { ...input.args };
  delete recordedArgs[input.parentArg];
  delete currentArgs[input.parentArg];
  for (const name of [...new Set([...Object.keys(recordedArgs), ...Object.keys(currentArgs)])].sort()) {
    if (recordedArgs[name] !== currentArgs[name])
      lines.push(`  ~ build arg ${name}: ${JSON.stringify(recordedArgs[name] ?? null)} → ${JSON.stringify(currentArgs[name] ?? null)}`);
  }
  if ((record.parent?.key ?? null) !== input.parentKey)
    lines.push(`  ~ the parent layer changed (key ${record.parent?.key ?? 'none'} → ${input.parentKey ?? 'none'})`);
  if (lines.length === 1) lines.push('  (the layer key format or external base image digests changed)');
  return lines.join('\n');
}
