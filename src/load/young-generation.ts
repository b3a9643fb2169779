// The load run's memory: its peak kept flat over any number of messages (see below).
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/**
 * A load run allocates a little for every reply and keeps almost nothing, but V8 doubles the young
 * generation each time enough has survived in all, up to 32 MiB: over 100,000 messages it always
 * gets there. Its growth is stopped once it holds this much, which keeps the peak flat while
 * scavenges stay rare enough not to slow the run.
 */
const YOUNG_GENERATION_CAP = 8 * 1024 * 1024;

/** Stops the young generation's growth at YOUNG_GENERATION_CAP; returns what ends the watch. */
export function capYoungGeneration(): () => void {
  const watch = setInterval(() => {
    const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    if (young === undefined || young.space_size < YOUNG_GENERATION_CAP) return;
    // V8 documents no promise for a flag changed after start-up; this one is read at each growth
    // of the young generation (Node 20's V8 11.3): check it again when Node is upgraded.
    setFlagsFromString('--semi-space-growth-factor=1');
    clearInterval(watch);
  }, 50);
  watch.unref();
  return () => clearInterval(watch);
}
