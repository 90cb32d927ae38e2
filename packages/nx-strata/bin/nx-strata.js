#!/usr/bin/env node
// Sets the exit code and lets Node exit by itself: process.exit() would cut off output still queued for a pipe
// (`nx-strata inspect --json | cat`, `$(npx nx-strata matrix)` in CI).
require('../dist/cli/main.js')
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
