/** Platforms a standalone binary can target (images cannot be darwin). */
export const BINARY_PLATFORMS = [
  'linux/amd64',
  'linux/arm64',
  'linux/arm/v7',
  'linux/386',
  'darwin/amd64',
  'darwin/arm64',
  'windows/amd64',
  'windows/arm64',
] as const;

/** Returns the canonical binary platform, or undefined. */
export function normalizeBinaryPlatform(raw: string): string | undefined {
  const lowered = raw.trim().toLowerCase();
  const canonical = ALIASES[lowered] ?? lowered;
  return (BINARY_PLATFORMS as readonly string[]).includes(canonical) ? canonical : undefined;
}

/** Platforms buildx can target, in `os/arch[/variant]` form. */
export const KNOWN_PLATFORMS = [
  'linux/amd64',
  'linux/amd64/v2',
  'linux/amd64/v3',
  'linux/arm64',
  'linux/arm/v7',
  'linux/arm/v6',
  'linux/386',
  'linux/ppc64le',
  'linux/s390x',
  'linux/riscv64',
  'linux/mips64le',
  'windows/amd64',
  'windows/arm64',
] as const;

const ALIASES: Record<string, string> = { 'linux/arm64/v8': 'linux/arm64', 'linux/x86_64': 'linux/amd64', 'linux/aarch64': 'linux/arm64' };

export interface ParsedPlatform {
  platform: string;
  os: string;
  arch: string;
  variant?: string;
}

/** Returns the canonical platform, or undefined when buildx would not know it. */
export function normalizePlatform(raw: string): string | undefined {
  const lowered = raw.trim().toLowerCase();
  const canonical = ALIASES[lowered] ?? lowered;
  return (KNOWN_PLATFORMS as readonly string[]).includes(canonical) ? canonical : undefined;
}

export function parsePlatform(platform: string): ParsedPlatform {
  const [os, arch, variant] = platform.split('/');
  return { platform, os, arch, variant };
}

/** `linux-arm-v7` → `linux/arm/v7`: the inverse of platformSlug (no platform part contains `-`). */
export function platformFromSlug(slug: string): string {
  return slug.replace(/-/g, '/');
}

/** `linux/arm/v7` → `linux-arm-v7`: safe in target names and file names. */
export function platformSlug(platform: string): string {
  return platform.replace(/\//g, '-');
}
