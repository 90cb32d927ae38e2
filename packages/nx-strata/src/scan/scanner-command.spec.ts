import { execFileSync } from 'node:child_process';
import { createTempWorkspace, removeTempWorkspace } from '../test-utils/temp-workspace';
import {
  scannerArgv,
  scannerInstallHint,
  scannerName,
  scannerProgram,
  scannerVersionCommands,
  scannerVersionRuntime,
  severitiesFrom,
} from './scanner-command';

const VALUES = {
  image: '127.0.0.1:5000/acme/web/app@sha256:abc',
  digest: 'sha256:abc',
  platform: 'linux/arm64',
  sarif: '/ws/dist/strata/default/app/linux-arm64.scan.sarif',
  severity: 'high' as const,
};

describe('scanner argv', () => {
  it('pins trivy: SARIF to the file, the threshold and up, exit 1 on a finding, the one platform, the digest', () => {
    expect(scannerArgv('trivy', VALUES)).toEqual([
      'trivy',
      'image',
      '--format',
      'sarif',
      '--output',
      '/ws/dist/strata/default/app/linux-arm64.scan.sarif',
      '--severity',
      'HIGH,CRITICAL',
      '--exit-code',
      '1',
      '--platform',
      'linux/arm64',
      '127.0.0.1:5000/acme/web/app@sha256:abc',
    ]);
    expect(scannerArgv('trivy', { ...VALUES, severity: 'low' })[7]).toBe('LOW,MEDIUM,HIGH,CRITICAL');
  });

  it('pins grype: SARIF to the file, --fail-on the threshold, the one platform, the digest', () => {
    expect(scannerArgv('grype', { ...VALUES, severity: 'critical' })).toEqual([
      'grype',
      '127.0.0.1:5000/acme/web/app@sha256:abc',
      '--platform',
      'linux/arm64',
      '--output',
      'sarif',
      '--file',
      '/ws/dist/strata/default/app/linux-arm64.scan.sarif',
      '--fail-on',
      'critical',
    ]);
  });

  it("fills a custom command's placeholders, inside arguments too, and leaves everything else alone", () => {
    const scanner = { command: ['scan', '--image={image}', '{digest}', '{platform}', '-o', '{sarif}', '--min', '{severity}', '{other}'] };
    expect(scannerArgv(scanner, VALUES)).toEqual([
      'scan',
      '--image=127.0.0.1:5000/acme/web/app@sha256:abc',
      'sha256:abc',
      'linux/arm64',
      '-o',
      '/ws/dist/strata/default/app/linux-arm64.scan.sarif',
      '--min',
      'high',
      '{other}',
    ]);
    expect(scannerName(scanner)).toBe('scan');
    expect(scannerName('grype')).toBe('grype');
    const script = { command: ['sh', 'tools/scan.sh', '{image}', '{sarif}'], name: 'acme-scan' };
    expect([scannerName(script), scannerProgram(script), scannerProgram('trivy')]).toEqual(['acme-scan', 'sh', 'trivy']);
  });

  it('orders severities from the threshold up', () => {
    expect(severitiesFrom('medium')).toEqual(['medium', 'high', 'critical']);
    expect(severitiesFrom('critical')).toEqual(['critical']);
  });
});

describe('the version probe (what the Nx cache is keyed on)', () => {
  let root: string;
  afterEach(() => root && removeTempWorkspace(root));
  const sh = (command: string, path: string) =>
    execFileSync('/bin/sh', ['-c', command], { cwd: root, env: { PATH: path }, encoding: 'utf8' });

  it('asks trivy for its version and database, and grype for its version and database status', () => {
    expect(scannerVersionCommands('trivy')).toEqual([['trivy', '--version']]);
    expect(scannerVersionCommands('grype')).toEqual([
      ['grype', 'version'],
      ['grype', 'db', 'status'],
    ]);
    expect(scannerVersionCommands({ command: ['x', '{sarif}', '{image}'] })).toBeUndefined();
    expect(scannerVersionRuntime({ command: ['x', '{sarif}', '{image}'] })).toBeUndefined();
  });

  it('prints "missing" and exits 0 when the scanner is not installed, so hashing the run never fails', () => {
    root = createTempWorkspace({});
    // /bin/sh exits non-zero when a command fails: execFileSync would throw.
    expect(sh(scannerVersionRuntime('trivy')!, '/usr/bin:/bin')).toBe('missing\n');
    expect(sh(scannerVersionRuntime('grype')!, '/usr/bin:/bin')).toBe('missing\n');
  });

  it("prints a real scanner's version and database date (a new database changes the hash)", () => {
    root = createTempWorkspace({
      'bin/grype': {
        mode: 0o755,
        content: '#!/bin/sh\nif [ "$1" = version ]; then echo "Version: 0.87.0"; else echo "Built: $(cat "$(dirname "$0")/db-date")"; fi\n',
      },
      'bin/db-date': '2026-11-29T00:00:00Z',
      'scan.sh': { mode: 0o755, content: '#!/bin/sh\necho "fixture scanner 1.0, db it\'s $(cat bin/db-date)"\n' },
    });
    const path = `${root}/bin:/usr/bin:/bin`;
    expect(sh(scannerVersionRuntime('grype')!, path)).toBe('Version: 0.87.0\nBuilt: 2026-11-29T00:00:00Z\n');
    const custom = scannerVersionRuntime({ command: ['./scan.sh', '{image}', '{sarif}'], version: ['./scan.sh', '--version'] })!;
    expect(sh(custom, path)).toBe("fixture scanner 1.0, db it's 2026-11-29T00:00:00Z\n");
    expect(scannerVersionRuntime({ command: ['x'], version: ["it's", 'a b'] })).toBe("('it'\\''s' 'a b') 2>/dev/null || echo missing");
  });

  it('says how to install each scanner', () => {
    expect(scannerInstallHint('trivy')).toContain('trivy.dev');
    expect(scannerInstallHint('grype')).toContain('anchore/grype');
    expect(scannerInstallHint({ command: ['acme-scan'], install: 'pip install acme-scan' })).toBe('pip install acme-scan');
    expect(scannerInstallHint({ command: ['acme-scan'] })).toContain('install acme-scan');
  });
});
