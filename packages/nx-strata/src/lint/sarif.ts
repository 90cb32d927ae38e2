import type { OutputKind } from '../config/output-path';
import { LINT_RULES } from './lint-rules';
import type { Finding } from './lint-unit';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** A SARIF log as a file `--sarif` may replace: JSON that names SARIF and version 2.1.0 at its start. */
export const SARIF_OUTPUT: OutputKind = {
  what: 'SARIF log',
  isOwn: (head) => /^\s*\{/.test(head) && /sarif/i.test(head) && /"version"\s*:\s*"2\.1\.0"/.test(head),
};

/**
 * Findings as a SARIF 2.1.0 log for GitHub code scanning: one run of the tool `nx-strata docker-lint`, every rule
 * described (why and fix), each result at its workspace-relative file, line and column.
 */
export function toSarif(findings: Finding[], toolVersion: string): object {
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'nx-strata docker-lint',
            version: toolVersion,
            informationUri: 'https://www.npmjs.com/package/nx-strata',
            rules: LINT_RULES.map((rule) => ({
              id: rule.id,
              shortDescription: { text: rule.title },
              fullDescription: { text: `${rule.title}: ${rule.why}.` },
              help: { text: `Fix: ${rule.fix}.` },
              defaultConfiguration: { level: rule.severity },
            })),
          },
        },
        results: findings.map((finding) => ({
          ruleId: finding.rule,
          ruleIndex: LINT_RULES.findIndex((rule) => rule.id === finding.rule),
          level: finding.severity,
          message: { text: `${finding.message} (layer ${finding.layers.join(', ')})` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: finding.file, uriBaseId: '%SRCROOT%' },
                region: { startLine: finding.at.line, startColumn: finding.at.column },
              },
            },
          ],
        })),
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The Nx workspace root.' } } },
      },
    ],
  };
}
