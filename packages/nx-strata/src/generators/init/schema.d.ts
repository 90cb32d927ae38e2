export interface InitGeneratorSchema {
  /** Image repository for strata.json when no Makefile tag names one. @default the root package.json name */
  image?: string;
  /** Only register the plugin; write no strata.json. @default false */
  skipStrataConfig?: boolean;
  /** Accepted for `nx add`; changes nothing. @default true */
  keepExistingVersions?: boolean;
}
