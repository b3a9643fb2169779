// TLS session resumption for a run's sessions: the cache (and node:crypto with it) is loaded at the
// first STARTTLS only, so a plain send never reads it.
import { homeDirectory } from '../home-directory.js';
import type { SessionPlan } from '../smtp/session.js';

/** Resumption keyed by each server and by the trust of this run (the --ca files, the environment). */
export function tlsResumption(env: NodeJS.ProcessEnv, extraCa: readonly Buffer[] | undefined): NonNullable<SessionPlan['tlsResumption']> {
  let cache: import('../cache/tls-sessions.js').TlsSessionCache | undefined;
  let trust: string | undefined;
  return async (server) => {
    const { TlsSessionCache, cacheDirectory, trustOf } = await import('../cache/tls-sessions.js');
    cache ??= new TlsSessionCache(cacheDirectory(env, homeDirectory(env)));
    trust ??= trustOf(extraCa, env);
    return cache.resumption({ server: server.name, address: server.address, port: server.port, trust });
  };
}
