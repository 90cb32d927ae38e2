import { runInNewContext } from 'node:vm';

/** How long a smoke test's `output` pattern may take on one output before the check fails. */
export const OUTPUT_MATCH_LIMIT_MS = 1000;

/**
 * Whether a smoke command's output matches its `output` pattern, within a time limit: a pattern that backtracks
 * without end (`^(a+)+$` on a long line) is stopped (V8 interrupts a regular expression at a script timeout) and
 * answered as `timedOut`. The pattern and the text reach the sandbox as values, never as code.
 */
export function matchesWithin(pattern: string, text: string, limitMs = OUTPUT_MATCH_LIMIT_MS): { matched: boolean } | { timedOut: true } {
  try {
    const matched = runInNewContext('new RegExp(pattern).test(text)', { pattern, text }, { timeout: limitMs }) as boolean;
    return { matched };
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return { timedOut: true };
    throw error;
  }
}
