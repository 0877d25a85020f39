export { incompleteBeta, tCdf, tQuantile } from './studentT.js';
export { summarize, type Summary } from './summarize.js';
export { LatencyHistogram, initHistograms } from './histogram.js';
export { TimeHistogram } from './timeHistogram.js';
