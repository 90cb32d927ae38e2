import { globAsync, type Tree } from 'nx/src/devkit-exports';

/** The GitHub Actions workflow `nx g nx-strata:ci --provider=github` writes. */
export const GITHUB_WORKFLOW_PATH = '.github/workflows/nx-strata.yml';

/** The repository's own GitHub workflows (what init and ci read its habits from), the one nx-strata writes aside. */
export async function repositoryWorkflows(tree: Tree): Promise<Array<{ path: string; text: string }>> {
  const files = await globAsync(tree, ['.github/workflows/*.yml', '.github/workflows/*.yaml']);
  return files
    .filter((file) => file !== GITHUB_WORKFLOW_PATH)
    .sort()
    .map((path) => ({ path, text: tree.read(path, 'utf-8') ?? '' }));
}
