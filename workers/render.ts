/**
 * The chart worker: draws the charts the main thread hands it (vega-lite
 * spec → SVG → PNG, src/report/render.ts) so that a report's charts are
 * drawn on two cores. The same code draws the same bytes in either thread.
 */
import { parentPort } from 'node:worker_threads';
import { toPng, toSvg, type DrawAnswer, type DrawRequest } from '../src/report/render.js';

async function draw(request: DrawRequest): Promise<DrawAnswer> {
  try {
    const svg = await toSvg(request.spec);
    return { index: request.index, svg, png: toPng(svg) };
  } catch (err) {
    return { index: request.index, error: err instanceof Error ? err.message : String(err) };
  }
}

const port = parentPort;
if (port) {
  port.on('message', (request: DrawRequest) => {
    void draw(request).then((answer) => port.postMessage(answer));
  });
  port.postMessage('ready');
}
