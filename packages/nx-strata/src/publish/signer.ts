import type { SignerConfig } from '../config/strata-config';

/** The built-in signer: keyless through the CI's OIDC token (GitHub `id-token: write`), or with COSIGN_KEY set. */
export const COSIGN: Required<SignerConfig> = {
  name: 'cosign',
  command: ['cosign', 'sign', '--yes', '{image}@{digest}'],
  version: ['cosign', 'version'],
  install: 'install cosign (https://docs.sigstore.dev/cosign/system_config/installation/; in GitHub Actions: sigstore/cosign-installer@v3)',
};

/** `publish.sign` as a signer: "cosign", or the team's own. Pure. */
export function signerOf(setting: 'cosign' | SignerConfig): SignerConfig & { name: string } {
  return setting === 'cosign' ? COSIGN : { ...setting, name: setting.name ?? setting.command[0] };
}

/** A signer's argv for one manifest list: `{image}` is the repository without a tag, `{digest}` the list's. Pure. */
export function signArgv(signer: SignerConfig, target: { image: string; digest: string }): string[] {
  return signer.command.map((arg) => arg.replace(/\{(image|digest)\}/g, (_match, token: 'image' | 'digest') => target[token]));
}
