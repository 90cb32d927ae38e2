import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEngineInfo, supportsAttestations } from './engine-facts';

const info = (name: string) => readFileSync(join(__dirname, '__fixtures__', name), 'utf8');

describe('parseEngineInfo', () => {
  it('tells the classic image store from real Docker 20.10 `docker info` output', () => {
    expect(parseEngineInfo(info('docker-info-20.10-classic.json'))).toEqual({ serverVersion: '20.10.24+dfsg1', imageStore: 'classic' });
  });

  it('tells the containerd image store from real Docker 26.1 `docker info` output', () => {
    expect(parseEngineInfo(info('docker-info-26.1-containerd.json'))).toEqual({ serverVersion: '26.1.5+dfsg1', imageStore: 'containerd' });
  });

  it('answers undefined for output that is not an engine', () => {
    expect(parseEngineInfo('Cannot connect to the Docker daemon')).toBeUndefined();
    expect(parseEngineInfo('{"ServerVersion":"","DriverStatus":null}')).toBeUndefined();
  });
});

describe('supportsAttestations', () => {
  const classic = { serverVersion: '20.10.24', imageStore: 'classic' as const };
  const containerd = { serverVersion: '26.1.5', imageStore: 'containerd' as const };

  it('the docker driver attaches them only on the containerd image store', () => {
    expect(supportsAttestations('docker', classic)).toBe(false);
    expect(supportsAttestations('docker', containerd)).toBe(true);
    expect(supportsAttestations('docker', undefined)).toBe(false);
  });

  it('every other driver attaches them; an unknown driver does not', () => {
    expect(supportsAttestations('docker-container', classic)).toBe(true);
    expect(supportsAttestations('remote', undefined)).toBe(true);
    expect(supportsAttestations(undefined, containerd)).toBe(false);
  });
});
