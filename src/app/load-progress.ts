// The live line of a load run on standard error, redrawn a few times a second, only when standard
// error is a terminal and output is neither JSON nor quiet; erased before the summary is written.
import type { LoadProgress } from '../load/facts.js';
import type { Plan } from '../plan.js';
import { drawProgress, ERASE_LINE } from '../render/load-progress.js';
import type { Run } from './run.js';

/** Redrawn this often; the first drawing waits as long, so that a short run shows no line at all. */
const REDRAW_MS = 250;

export interface ProgressLine {
  /** Hands the line its source of figures: the driver calls it once at the start. */
  observe(progress: () => LoadProgress): void;
  /** Stops redrawing and erases the line. */
  close(): void;
}

export function openProgressLine(run: Run, plan: Plan): ProgressLine | undefined {
  // As the spinner: not on a terminal that cannot redraw a line (TERM=dumb), nor in CI, whose logs
  // keep every frame.
  const redrawable = run.io.env['TERM'] !== 'dumb' && !run.io.env['CI'];
  if (run.io.stderr.terminal === undefined || !redrawable || plan.output.json || plan.verbosity === 0) return undefined;
  let timer: NodeJS.Timeout | undefined;
  let drawn = false;
  return {
    observe(progress) {
      timer = setInterval(() => {
        // The width as it is now: a window resized during the run would wrap a line drawn wider,
        // and erasing it would leave the rows above behind.
        const columns = run.io.stderr.terminal?.columns;
        if (columns === undefined) return;
        run.output.err(drawProgress(progress(), run.words, columns));
        drawn = true;
      }, REDRAW_MS);
      // The run's own work keeps the process alive; the line never should.
      timer.unref();
    },
    close() {
      clearInterval(timer);
      if (drawn) run.output.err(ERASE_LINE);
    },
  };
}
