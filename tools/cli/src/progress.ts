/** A live progress bar on terminals (cli-progress), plain periodic lines otherwise (CI logs). */
import cliProgress from 'cli-progress';
import type { SimulateProgress } from './simulate.js';

export interface ProgressView {
  update(p: SimulateProgress): void;
  log(line: string): void;
  stop(): void;
}

function rate(p: SimulateProgress): { fps: string; mbps: string } {
  const seconds = Math.max(p.elapsedMs / 1000, 1e-3);
  return { fps: (p.acked / seconds).toFixed(1), mbps: (p.bytes / seconds / 1e6).toFixed(1) };
}

export function progressView(
  total: number | undefined,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressView {
  if (!stream.isTTY) {
    let last = 0;
    return {
      update(p) {
        if (p.elapsedMs - last < 2000) return;
        last = p.elapsedMs;
        const r = rate(p);
        stream.write(
          `sent ${p.sent} acked ${p.acked} rejected ${p.rejected} step ${p.step} ${r.fps} frames/s ${r.mbps} MB/s\n`,
        );
      },
      log: (line) => stream.write(`${line}\n`),
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format:
        total === undefined
          ? 'frames {value} acked {acked} | step {step} | {fps} frames/s {mbps} MB/s'
          : '[{bar}] {value}/{total} acked {acked} | step {step} | {fps} frames/s {mbps} MB/s',
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total ?? 0, 0, { acked: 0, step: 0, fps: '0', mbps: '0' });
  return {
    update(p) {
      bar.update(p.sent, { acked: p.acked, step: p.step, ...rate(p) });
    },
    log(line) {
      // Clear the bar's line, print, and let the next update redraw it.
      stream.write(`\r\x1b[2K${line}\n`);
    },
    stop: () => bar.stop(),
  };
}
