// TLS session resumption for a run's sessions: the cache (and node:crypto with it) is loaded at the
// first STARTTLS only, so a plain send never reads it.
import type { SessionPlan } from '../smtp/session.js';

/** Resumption keyed by each server and by the trust of this run (the --ca files, the environment). */
export function tlsResumption(env: NodeJS.ProcessEnv, extraCa: readonly Buffer[] | undefined): NonNullable<SessionPlan['tlsResumption']> {
  let cache: import('../cache/tls-sessions.js').TlsSessionCache | undefined;
  let trust: string | undefined;
  return async (server) => {
    const [{ TlsSessionCache, trustOf }, { cacheDirectory }] = await Promise.all([import('../cache/tls-sessions.js'), import('../cache/cache-directory.js')]);
    cache ??= new TlsSessionCache(cacheDirectory(env));
    trust ??= trustOf(extraCa, env);
    return cache.resumption({ server: server.name, address: server.address, port: server.port, trust });
  };
}
