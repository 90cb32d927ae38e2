/** An image repository as a name init can propose: lower-case path components (no registry, tag or variable). */
const PLAIN_REPOSITORY = /^[a-z0-9]+([._/-][a-z0-9]+)*$/;

/**
 * The plain repository the candidates name most often, with the first candidate that names it (ties go to the one
 * named first); candidates that are not plain repositories are skipped. Pure.
 */
export function mostNamed<Candidate extends { repository: string }>(candidates: Candidate[]): Candidate | undefined {
  const counts = new Map<string, { count: number; first: Candidate }>();
  for (const candidate of candidates) {
    if (!PLAIN_REPOSITORY.test(candidate.repository)) continue;
    const seen = counts.get(candidate.repository);
    counts.set(candidate.repository, { count: (seen?.count ?? 0) + 1, first: seen?.first ?? candidate });
  }
  return [...counts.values()].sort((a, b) => b.count - a.count)[0]?.first;
}
