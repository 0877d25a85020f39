/**
 * Statistics for the results of many replications: small pure functions, one
 * idea per file (in the manner of d3-array), re-exported here.
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
