import { platformSlug } from '../config/platforms';

/** `docker-build--cpu--base--linux-amd64`, or `docker-build--base--linux-amd64` without variants. */
export function layerTargetName(buildTargetName: string, variant: string | undefined, layer: string, platform: string): string {
  return [buildTargetName, variant, layer, platformSlug(platform)].filter(Boolean).join('--');
}

/** `docker-build--linux-arm64`: every layer of every variant for one platform. */
export function platformTargetName(buildTargetName: string, platform: string): string {
  return `${buildTargetName}--${platformSlug(platform)}`;
}
