import type { LayerTask } from './layer-task';
import type { ImageFamily } from './image-family';
import { keyForInputs } from '../hash/compute-task-key';
import type { FileHasher } from '../hash/file-hasher';
import type { LayerKey } from '../hash/layer-key';

/** The current key of every layer task of a family, parents first (a child keys on its parent's key). */
export function familyKeys(family: ImageFamily, workspaceRoot: string, hasher: FileHasher): Map<string, LayerKey> {
  const keys = new Map<string, LayerKey>();
  const keyOf = (task: LayerTask): LayerKey => {
    const known = keys.get(task.targetName);
    if (known) return known;
    const parent = family.parentOf(task);
    const key = keyForInputs(task, family.inputsOf(task), { workspaceRoot, hasher, parentKey: parent ? keyOf(parent).key : null });
    keys.set(task.targetName, key);
    return key;
  };
  family.tasks.forEach(keyOf);
  return keys;
}
