/** What a publish did, per registry: written atomically after the copies. */
export interface PublishRecord {
  schemaVersion: 1;
  project: string;
  variant: string;
  publishedAt: string;
  registries: Array<{
    registry: string;
    optional: boolean;
    ok: boolean;
    error?: string;
    manifests: Array<{
      layer: string;
      repository: string;
      tags: string[];
      digest: string | null;
      platforms: string[];
      /** With publish.sign: whether the signer signed this digest. */
      signed?: boolean;
    }>;
  }>;
}
