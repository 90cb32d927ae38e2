export interface CiGeneratorSchema {
  /** CI provider. @default "github" */
  provider?: 'github' | 'gitlab';
  /** GitLab: how jobs reach Docker, the docker:dind service (TLS) or a shell runner's own engine. @default "dind" */
  dockerEngine?: 'dind' | 'shell';
  /** Trusted branch: pushes to it publish and write to the remote cache (with the plugin option trustedBranches). @default the plugin option trustedBranches, else the remote's default branch and the push branches of the publishing workflows, else nx.json defaultBase, else "main" */
  mainBranch?: string;
  /** Runner for the plan, publish and summary jobs and for linux/amd64 builds (a runner tag on GitLab). @default "ubuntu-latest" on GitHub, none on GitLab */
  runner?: string;
  /** Native runner for linux/arm64 builds; without it arm64 builds under QEMU on `runner`. */
  arm64Runner?: string;
  /** The nx-strata cache server, Nx Cloud, or none. @default "self-hosted" */
  remoteCache?: 'self-hosted' | 'nx-cloud' | 'none';
  /** The trusted build namespace (STRATA_REGISTRY). @default the plugin option registry, else "ghcr.io/${{ github.repository_owner }}" */
  registry?: string;
  /** Where pull requests push (STRATA_UNTRUSTED_REGISTRY). @default the plugin option untrustedRegistry, else "<registry>/untrusted" */
  untrustedRegistry?: string;
  /** The GitHub environment whose secrets alone write the trusted namespace and the remote cache. @default "nx-strata-trusted" */
  trustedEnvironment?: string;
  /**
   * When images publish: on release tags (the tag is the version), on pushes to the trusted branches, or as
   * the repository's own workflows do today (an image a tag-triggered workflow publishes goes out on those tags). @default "auto"
   */
  publishOn?: 'auto' | 'tag' | 'branch';
}
