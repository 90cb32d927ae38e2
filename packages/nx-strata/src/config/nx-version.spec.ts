import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unsupportedNxProblem, workspaceNxVersion } from './nx-version';

describe('the Nx a workspace has, and whether nx-strata serves it (issue 27 item 1)', () => {
  it.each(['21.6.5', '22.0.0', '23.1.1', '24.0.7'])('serves Nx %s', (version) => expect(unsupportedNxProblem(version)).toBeUndefined());

  it('names the Nx it found and what to do, in one sentence', () => {
    expect(unsupportedNxProblem('19.8.4')).toBe(
      "nx-strata supports Nx 21 to 24, and this workspace has Nx 19.8.4: upgrade Nx first (`npx nx migrate 21`, or `npx nx migrate latest`), or remove nx-strata from nx.json's plugins",
    );
    expect(unsupportedNxProblem('25.0.0-beta.1')).toContain('install an nx-strata release that supports Nx 25');
    expect(unsupportedNxProblem(undefined)).toBeUndefined();
  });

  it("reads the workspace's own nx package", () => {
    const root = mkdtempSync(join(tmpdir(), 'strata-nx-version-'));
    expect(workspaceNxVersion(root)).toBeUndefined();
    mkdirSync(join(root, 'node_modules/nx'), { recursive: true });
    writeFileSync(join(root, 'node_modules/nx/package.json'), JSON.stringify({ name: 'nx', version: '19.8.4' }));
    expect(workspaceNxVersion(root)).toBe('19.8.4');
  });
});
