/**
 * Progress of long work on stderr (stdout stays clean for results): a redrawn bar on a terminal,
 * otherwise a plain "label: 40%" line at every tenth, so logs of a cron job stay readable.
 */
export interface Progress {
  update(fraction: number): void;
  done(): void;
}

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): unknown;
}

const WIDTH = 30;

export function progress(label: string, stream: ProgressStream = process.stderr): Progress {
  const started = Date.now();
  let lastPercent = -1;
  let lastDraw = 0;
  let finished = false;
  const tty = stream.isTTY === true;
  const draw = (fraction: number, force: boolean) => {
    const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
    const percent = Math.floor(f * 100);
    if (tty) {
      const now = Date.now();
      if (!force && percent === lastPercent && now - lastDraw < 250) return;
      lastDraw = now;
      lastPercent = percent;
      const filled = Math.round(f * WIDTH);
      const seconds = ((now - started) / 1000).toFixed(0);
      stream.write(`\r${label} [${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}] ${String(percent).padStart(3)}% ${seconds}s `);
    } else {
      const tenth = Math.floor(percent / 10) * 10;
      if (tenth <= lastPercent && !force) return;
      if (tenth === lastPercent) return;
      lastPercent = tenth;
      stream.write(`${label}: ${tenth}%\n`);
    }
  };
  return {
    update: (fraction) => {
      if (!finished) draw(fraction, false);
    },
    done: () => {
      if (finished) return;
      draw(1, true);
      finished = true;
      if (tty) stream.write('\n');
    },
  };
}
