// Prints each suite's time, then "N passed, N failed" from jest --json result files. A missing file, or a suite that failed to run
// (compile error, failing global setup), counts as a failure so that CI can never read a broken run as green.
import { existsSync, readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';

let passed = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    console.log(`${file}: no results (the runner did not finish)`);
    failed += 1;
    continue;
  }
  const results = JSON.parse(readFileSync(file, 'utf8'));
  const seconds = (suite) => (suite.endTime - suite.startTime) / 1000;
  const total = results.testResults.reduce((sum, suite) => sum + seconds(suite), 0);
  console.log(`${basename(file, '.json')}: ${results.testResults.length} suites in ${total.toFixed(0)} s`);
  for (const suite of [...results.testResults].sort((a, b) => seconds(b) - seconds(a)))
    console.log(`  ${seconds(suite).toFixed(1).padStart(7)} s  ${relative(process.cwd(), suite.name)}`);
  passed += results.numPassedTests;
  failed += results.numFailedTests;
  const brokenSuites = results.testResults.filter(
    (suite) => suite.status === 'failed' && suite.assertionResults.every((test) => test.status !== 'failed'),
  );
  for (const suite of brokenSuites) console.log(`${suite.name}: suite failed to run: ${suite.message.split('\n').slice(0, 5).join(' ')}`);
  failed += brokenSuites.length;
  if (results.numTotalTests === 0) {
    console.log(`${file}: ran no tests`);
    failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
