/**
 * Statistics for the results of many replications: small pure functions, one
 * idea per file (in the manner of d3-array), re-exported here.
 *
 * The special functions (ln Γ, incomplete gamma and beta, normal and
 * Student-t) are our own, ~330 lines pinned by test/stats-special-functions.
 * Libraries were measured against those tests (Node 20, 2026-12): jstat
 * 1.9.6's t quantile is 1.7e-8 off at df = 30 and 0.16% off at df = 1e12;
 * @stdlib's per-function packages are as accurate except the normal quantile
 * (4e-7 relative at p = 1e-12) and t at df = ∞ (NaN), but each pulls in
 * 165–232 packages (6–10 MB) — ln Γ alone 165 — for a few dozen lines.
 */
export { logGamma, gammaFunction } from './logGamma.js';
export { regularizedGammaP, regularizedGammaQ } from './incompleteGamma.js';
export { regularizedBeta } from './incompleteBeta.js';
export { erfc, normalCdf, normalPdf, normalQuantile } from './normal.js';
export { tCdf, tPdf, tQuantile } from './studentT.js';
export { summarize, type Summary } from './summarize.js';
export { pairedDiff } from './pairedDiff.js';
export { mser5, type Mser5Result } from './mser5.js';
export { formatCount, formatNumber } from './format.js';
export { toCsv } from './csv.js';
export { LatencyHistogram } from './histogram.js';
export { TimeHistogram } from './timeHistogram.js';
