// The plan of a session's second try after a resumed TLS handshake failed: no kept session is
// offered, and none is kept (the server gets none for a day anyway), so there is no third try.
import type { SessionPlan } from '../smtp/session.js';

export function withoutResumption(plan: SessionPlan): SessionPlan {
  const { tlsResumption: _offered, ...rest } = plan;
  return rest;
}
