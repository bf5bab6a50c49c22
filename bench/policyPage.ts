/**
 * Browser entry of `npm run bench:policy` (bundled by bench/policy.ts with esbuild): runs
 * bench/policyMeasure.ts with the options in the URL and leaves the result on window.
 */
import { measure, type MeasureOptions } from './policyMeasure';

const w = window as unknown as { __benchResult?: unknown; __benchError?: string };
const opts = JSON.parse(new URLSearchParams(location.search).get('opts') ?? '{}') as MeasureOptions;
measure(opts).then(
  (r) => (w.__benchResult = r),
  (err) => (w.__benchError = String(err)),
);
