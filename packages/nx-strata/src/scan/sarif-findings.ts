/** One result of a scanner's SARIF log, as a message names it. */
export interface ScanFinding {
  ruleId: string;
  /** SARIF `level`: error, warning, note or none (`warning` when the result leaves it out). */
  level: string;
  /** The first line of the result's message. */
  message: string;
  /** Where it was found: the first location's artifact URI, when there is one. */
  location?: string;
}

/**
 * The results of a SARIF 2.1.0 log, every run's, or a problem when the text is not such a log. Reads only the fields
 * it names (a scanner's log may be large and its other fields are the scanner's business).
 */
export function readSarifFindings(text: string): { findings: ScanFinding[] } | { problem: string } {
  let log: unknown;
  try {
    log = JSON.parse(text);
  } catch {
    return { problem: 'it is not JSON' };
  }
  const runs = (log as { runs?: unknown } | null)?.runs;
  if (!Array.isArray(runs)) return { problem: 'it has no "runs" list (not a SARIF log)' };
  const findings: ScanFinding[] = [];
  for (const run of runs) {
    const results = (run as { results?: unknown } | null)?.results ?? [];
    if (!Array.isArray(results)) return { problem: 'a run\'s "results" is not a list' };
    for (const result of results as SarifResult[]) {
      const text = typeof result?.message?.text === 'string' ? result.message.text : '';
      const uri = result?.locations?.[0]?.physicalLocation?.artifactLocation?.uri;
      findings.push({
        ruleId: typeof result?.ruleId === 'string' ? result.ruleId : '(no rule id)',
        level: typeof result?.level === 'string' ? result.level : 'warning',
        message: text.split(/\r?\n/)[0].slice(0, 300),
        ...(typeof uri === 'string' ? { location: uri } : {}),
      });
    }
  }
  return { findings };
}

/** `- error CVE-2024-1234: <message> (usr/lib/libssl.so)`, the first `limit` of them and how many more. */
export function formatFindings(findings: ScanFinding[], limit = 10): string {
  const lines = findings
    .slice(0, limit)
    .map((finding) => `  - ${finding.level} ${finding.ruleId}: ${finding.message}${finding.location ? ` (${finding.location})` : ''}`);
  if (findings.length > limit) lines.push(`  … and ${findings.length - limit} more in the SARIF log`);
  return lines.join('\n');
}

interface SarifResult {
  ruleId?: unknown;
  level?: unknown;
  message?: { text?: unknown };
  locations?: Array<{ physicalLocation?: { artifactLocation?: { uri?: unknown } } }>;
}
