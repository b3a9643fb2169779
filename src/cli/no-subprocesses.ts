// Stands in for node:child_process inside the bundle (bin/build.mjs aliases it there; the modules
// tsc writes to dist/ keep the real one). commander require()s node:child_process as it loads, only
// to run external subcommands, which mailv has none of; the real module brings net and dgram along,
// 2 to 5 ms of every start-up (measured with and without the stub). mailv's own subprocess,
// --password-cmd, imports node:child_process by a computed name in secret-input.ts, which the alias
// does not reach. Any use of this stub fails loudly.
function unavailable(): never {
  throw new Error('mailv runs no subprocesses');
}

export const spawn = unavailable;
export default { spawn };
