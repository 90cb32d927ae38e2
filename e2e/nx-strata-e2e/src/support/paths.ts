import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '../../../..');
export const VISION_EXAMPLE = join(REPO_ROOT, 'examples/vision');
export const FIXTURES = join(__dirname, '../../fixtures');
