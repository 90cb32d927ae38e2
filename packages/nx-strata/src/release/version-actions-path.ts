/**
 * Where Nx finds nx-strata's version actions (`release.version.versionActions`, set on every image project without a
 * package.json by createNodes). Its own file so that the plugin does not load Nx Release to name it.
 */
export const STRATA_VERSION_ACTIONS = 'nx-strata/dist/release/version-actions';
