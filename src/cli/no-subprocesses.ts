// Stands in for node:child_process inside the bundle. commander loads it only to run external
// subcommands, which mailv has none of; loading the real module (with net and dgram) costs
// several milliseconds of every start-up. Any use would fail loudly.
function unavailable(): never {
  throw new Error('mailv runs no subprocesses');
}

export const spawn = unavailable;
export default { spawn };
