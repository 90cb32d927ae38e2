import { formatFindings, readSarifFindings } from './sarif-findings';

describe('readSarifFindings', () => {
  it("reads every run's results: rule, level (warning when left out), first message line, first location", () => {
    const log = {
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'Trivy' } },
          results: [
            {
              ruleId: 'CVE-2024-0001',
              level: 'error',
              message: { text: 'Package: openssl\nInstalled Version: 3.0.0' },
              locations: [{ physicalLocation: { artifactLocation: { uri: 'usr/lib/libssl.so.3' } } }],
            },
            { ruleId: 'CVE-2024-0002', message: { text: 'zlib' } },
          ],
        },
        { tool: { driver: { name: 'other' } }, results: [{ level: 'note', message: {} }] },
        { tool: { driver: { name: 'clean' } } },
      ],
    };
    const read = readSarifFindings(JSON.stringify(log));
    expect(read).toEqual({
      findings: [
        { ruleId: 'CVE-2024-0001', level: 'error', message: 'Package: openssl', location: 'usr/lib/libssl.so.3' },
        { ruleId: 'CVE-2024-0002', level: 'warning', message: 'zlib' },
        { ruleId: '(no rule id)', level: 'note', message: '' },
      ],
    });
    expect(formatFindings('findings' in read ? read.findings : [], 2)).toBe(
      '  - error CVE-2024-0001: Package: openssl (usr/lib/libssl.so.3)\n  - warning CVE-2024-0002: zlib\n  … and 1 more in the SARIF log',
    );
  });

  it('says why a file is not a SARIF log, without echoing it', () => {
    expect(readSarifFindings('password=hunter2')).toEqual({ problem: 'it is not JSON' });
    expect(readSarifFindings('{"secret":"hunter2"}')).toEqual({ problem: 'it has no "runs" list (not a SARIF log)' });
    expect(readSarifFindings('{"runs":[{"results":"hunter2"}]}')).toEqual({ problem: 'a run\'s "results" is not a list' });
    expect(readSarifFindings('null')).toEqual({ problem: 'it has no "runs" list (not a SARIF log)' });
  });
});
