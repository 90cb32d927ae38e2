import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export type FileSpec = string | { content: string; mode: number };

/** Creates real files under a fresh temp directory; returns its path. Remove with `removeTempWorkspace`. */
export function createTempWorkspace(files: Record<string, FileSpec>): string {
  const root = mkdtempSync(join(tmpdir(), 'nx-strata-spec-'));
  writeFiles(root, files);
  return root;
}

export function writeFiles(root: string, files: Record<string, FileSpec>): void {
  for (const [path, spec] of Object.entries(files)) {
    const absolute = join(root, path);
    mkdirSync(dirname(absolute), { recursive: true });
    writeFileSync(absolute, typeof spec === 'string' ? spec : spec.content);
    if (typeof spec !== 'string') chmodSync(absolute, spec.mode);
  }
}

export function removeTempWorkspace(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

/** The vision layout from the README (busybox stand-ins), as files. */
export const VISION_LAYOUT: Record<string, FileSpec> = {
  'strata.json': JSON.stringify({
    image: 'acme/vision',
    platforms: ['linux/amd64', 'linux/arm64'],
    layers: {
      base: { dockerfile: 'docker/{variant}/Dockerfile.base' },
      ml: { dockerfile: 'docker/{variant}/Dockerfile.ml', parent: 'base' },
      app: { dockerfile: 'docker/app/Dockerfile', parent: 'ml' },
    },
    variants: {
      cpu: {
        platforms: {
          'linux/amd64': {},
          'linux/arm64': {
            layers: { base: { dockerfile: 'docker/arm64/Dockerfile.base' }, ml: { dockerfile: 'docker/arm64/Dockerfile.ml' } },
          },
        },
      },
      cuda: { platforms: ['linux/amd64'] },
    },
  }),
  'docker/cpu/Dockerfile.base': 'FROM python:3.11-slim\nRUN echo cpu\n',
  'docker/arm64/Dockerfile.base': 'FROM python:3.11-slim\nRUN echo arm64\n',
  'docker/cuda/Dockerfile.base': 'FROM nvidia/cuda:12.4.0-runtime-ubuntu22.04\nRUN echo cuda\n',
  'docker/cpu/Dockerfile.ml':
    'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY requirements/ ./requirements/\nRUN pip install -r requirements/ml.txt\n',
  'docker/arm64/Dockerfile.ml':
    'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY requirements/ ./requirements/\nRUN pip install -r requirements/ml.txt\n',
  'docker/cuda/Dockerfile.ml':
    'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY requirements/ ./requirements/\nRUN pip install -r requirements/ml.txt\n',
  'docker/app/Dockerfile':
    'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY requirements/app.txt ./requirements/app.txt\nCOPY src/ ./src/\nCOPY docker/common/entrypoint.sh /entrypoint.sh\n',
  'docker/common/entrypoint.sh': { content: '#!/bin/sh\nexec python -m vision\n', mode: 0o755 },
  'requirements/ml.txt': 'torch==2.5.0\n',
  'requirements/app.txt': 'fastapi==0.115.0\n',
  'src/vision/main.py': 'print("hi")\n',
  'src/vision/__pycache__/main.cpython-311.pyc': 'bytecode',
  '.dockerignore': '*.md\n!README.md\n**/__pycache__\n',
  'README.md': '# vision\n',
  'NOTES.md': 'notes\n',
};
