/** A content-addressed tag in the build registry. */
export interface ContentTag {
  repository: string;
  tag: string;
  key: string;
  digest: string;
}

export interface GcDecision extends ContentTag {
  keep: boolean;
  reason: string;
}

export const CONTENT_TAG = /^strata-([0-9a-f]{16})$/;

/**
 * Which content-addressed tags are garbage: kept when a current layer key names them, when a published (non-strata)
 * tag uses their digest (directly or inside a manifest list), or when a kept tag shares their digest (the registry
 * deletes by digest, so deleting one would delete the other). Pure.
 */
export function selectGarbage(tags: ContentTag[], currentKeys: Set<string>, publishedDigests: Set<string>): GcDecision[] {
  const decisions = tags.map((tag): GcDecision => {
    if (currentKeys.has(tag.key)) return { ...tag, keep: true, reason: 'a current layer key' };
    if (publishedDigests.has(tag.digest)) return { ...tag, keep: true, reason: 'used by a published tag' };
    return { ...tag, keep: false, reason: 'no current layer key or published tag uses it' };
  });
  const keptDigests = new Set(decisions.filter((decision) => decision.keep).map((decision) => `${decision.repository}@${decision.digest}`));
  return decisions.map((decision) =>
    !decision.keep && keptDigests.has(`${decision.repository}@${decision.digest}`)
      ? { ...decision, keep: true, reason: 'same digest as a kept tag' }
      : decision,
  );
}
