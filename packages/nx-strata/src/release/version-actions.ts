import { VersionActions } from 'nx/release';
import type { ProjectGraph, Tree } from 'nx/src/devkit-exports';

/**
 * Nx Release version actions for an image project: an image has no manifest file to write its version into (no
 * package.json needed). Its current version comes from git tags or version plans (`currentVersionResolver: "git-tag"`,
 * the default Nx picks when no manifest is readable), its new version is Nx's semver bump, and `nx release publish`
 * tags the published manifest lists with it (the `nx-release-publish` target). Also works in a group with JS packages.
 */
export default class StrataVersionActions extends VersionActions {
  validManifestFilenames = null;

  /**
   * Asked only as the fallback of a first release (`--first-release`, or `fallbackCurrentVersionResolver: "disk"`) when
   * no release tag exists yet: an image that was never released starts at 0.0.0, as Nx's own last resort does.
   */
  async readCurrentVersionFromSourceManifest(): Promise<{ currentVersion: string; manifestPath: string }> {
    return {
      currentVersion: '0.0.0',
      manifestPath: `no release tag yet (${this.projectGraphNode.name} has no manifest file: it starts at 0.0.0)`,
    };
  }

  async readCurrentVersionFromRegistry(): Promise<null> {
    return null;
  }

  async readCurrentVersionOfDependency(
    _tree: Tree,
    _graph: ProjectGraph,
    _dependency: string,
  ): Promise<{ currentVersion: string | null; dependencyCollection: string | null }> {
    return { currentVersion: null, dependencyCollection: null };
  }

  async updateProjectVersion(_tree: Tree, newVersion: string): Promise<string[]> {
    return [`✍️  No manifest to write: ${this.projectGraphNode.name} is published as ${newVersion} by nx release publish`];
  }

  async updateProjectDependencies(): Promise<string[]> {
    return [];
  }
}
