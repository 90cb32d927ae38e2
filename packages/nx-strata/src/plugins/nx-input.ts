import type { TargetConfiguration } from '@nx/devkit';

/** One entry of a target's `inputs` (a file pattern, a fileset object, an env input...). */
export type NxInput = NonNullable<TargetConfiguration['inputs']>[number];
