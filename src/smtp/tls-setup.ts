// The TLS contexts a connection's handshake is made with, and which CAs they trust when: one shared
// by every connection of the same trust, made before the handshake needs it; for a handshake that
// offers a kept TLS 1.3 session, one that trusts no CA until the server shows it did not take it.
import type { SecureContext, TLSSocket } from 'node:tls';
import type { StoredTlsSession, TlsTrust } from './connection.js';
import { rfc9525Identity } from './server-identity.js';
import { sessionProtocolVersion, TLS_1_3 } from './tls-session-version.js';

export interface TlsSetup {
  readonly tlsConnect: typeof import('node:tls').connect;
  /** Whether the certificate names the host (see rfc9525Identity). */
  readonly checkServerIdentity: typeof import('node:tls').checkServerIdentity;
  readonly secureContext: SecureContext;
  /** A context that trusts no CA yet: see trustWhenNotResumed. */
  readonly trustAll?: () => void;
}

/**
 * The setup for a handshake of `trust` that offers `stored`, shared. Node's list takes about 20 ms
 * to parse when Node was started without NODE_EXTRA_CA_CERTS (as bin/mailv.js starts it), and that
 * file's certificates as long again: a handshake that resumes a session checks no certificate, and
 * one offering a session of TLS 1.3 goes without them until the server shows it did not take it.
 * Not with a client certificate, which goes only to a server verified in the handshake itself
 * (rejectUnauthorized), nor when NODE_EXTRA_CA_CERTS, to be added, cannot be read at once (a FIFO).
 */
export function tlsSetupFor(trust: TlsTrust, stored: StoredTlsSession | undefined): Promise<TlsSetup> {
  const waitingTrust =
    stored !== undefined && trust.identity === undefined && trust.nodeExtraCa?.readableNow() !== false && sessionProtocolVersion(stored.session) === TLS_1_3;
  return waitingTrust ? sharedUntrustingSetup(trust) : sharedTlsSetup(trust);
}

/**
 * Makes the context trust its CAs (`trustAll`) unless the server resumed the session offered. TLS
 * 1.3 derives its handshake secrets from the ServerHello, which says whether the session was taken,
 * and sends the certificate encrypted under them: OpenSSL hands the first to Node's key log (called
 * within the handshake, as it is derived) before it can read the certificate, let alone judge it.
 * TLS 1.2 logs its secret after the certificate, and is not spoken with such a context. `inTime`: a
 * TLS 1.3 handshake secret came first and the CAs were trusted then, if they had to be; without it
 * the certificate was judged against an empty store, and never reported. `failure`: what trustAll
 * threw, kept for the handshake to throw rather than thrown out of OpenSSL's callback.
 */
export function trustWhenNotResumed(secure: TLSSocket, trustAll: () => void): { inTime: boolean; failure?: unknown } {
  const trusted: { inTime: boolean; failure?: unknown } = { inTime: false };
  const onSecret = (line: Buffer) => {
    if (!HANDSHAKE_SECRET.test(line.toString('latin1'))) return;
    secure.off('keylog', onSecret);
    try {
      if (!secure.isSessionReused()) trustAll();
      trusted.inTime = true;
    } catch (error) {
      trusted.failure = error;
    }
  };
  secure.on('keylog', onSecret);
  return trusted;
}

/** The labels of TLS 1.3's handshake secrets in the key log (the SSLKEYLOGFILE format). */
const HANDSHAKE_SECRET = /^(SERVER|CLIENT)_HANDSHAKE_TRAFFIC_SECRET /;

type SharedSetups = WeakMap<object, { readonly trust: TlsTrust; readonly setup: Promise<TlsSetup> }>;

/**
 * The contexts made, by the trust they were made for (its --ca certificates, else its client
 * identity, as the plan holds them; else Node's trust alone): every connection with that trust
 * shares one, as the options a connection gives besides (the name, the session) are no context's.
 * Made for each connection (as tls.connect makes one when given none), each with --ca holds a store
 * of every root certificate of its own, freed only when the garbage collector gets to it: a load
 * run over TLS grew by 40 MiB in 3,000 connections, at twice the CPU a connection.
 */
const tlsSetups: SharedSetups = new WeakMap();

/** The same for the contexts that trust no CA until they must (see trustWhenNotResumed). */
const untrustingSetups: SharedSetups = new WeakMap();

/** The key of the setup for no --ca and no client certificate. */
const NODE_TRUST = {};

/** The setup of `setups` made for `trust`, or the one `make` makes for it, kept there. */
function shared(setups: SharedSetups, trust: TlsTrust, make: (extraCa: readonly Buffer[] | undefined) => Promise<TlsSetup>): Promise<TlsSetup> {
  const extraCa = trust.extraCa !== undefined && trust.extraCa.length > 0 ? trust.extraCa : undefined;
  const { identity, nodeExtraCa } = trust;
  const key = identity ?? extraCa ?? NODE_TRUST;
  const known = setups.get(key);
  if (known !== undefined && known.trust.extraCa === extraCa && known.trust.identity === identity && known.trust.nodeExtraCa === nodeExtraCa)
    return known.setup;
  const setup = make(extraCa);
  setup.catch(() => {}); // startTls() awaits it again, and meets the failure there
  setups.set(key, { trust: { extraCa, identity, nodeExtraCa }, setup });
  return setup;
}

function sharedTlsSetup(trust: TlsTrust): Promise<TlsSetup> {
  const { identity, nodeExtraCa } = trust;
  return shared(tlsSetups, trust, (extraCa) =>
    Promise.all([import('node:tls'), nodeExtraCa?.read()]).then(([{ connect, createSecureContext, checkServerIdentity }, nodeExtra]) => {
      const context = createSecureContext(identity === undefined ? undefined : { cert: identity.cert, key: identity.key });
      const added = [...(extraCa ?? []), ...(nodeExtra ?? [])];
      return {
        tlsConnect: connect,
        checkServerIdentity: rfc9525Identity(checkServerIdentity),
        secureContext: added.length === 0 ? context : withExtraCa(context, added),
      };
    }),
  );
}

/**
 * A context that trusts no CA until trustAll() makes it trust what sharedTlsSetup's does: shared as
 * those are, and trusting for every connection once one needed it. Made once: Node's addRootCerts()
 * after an addCACert() leaves the context's store freed under it, so a trustAll() that failed
 * part-way is not tried again, and every handshake after it fails as not trusted in time.
 */
function sharedUntrustingSetup(trust: TlsTrust): Promise<TlsSetup> {
  const { nodeExtraCa } = trust;
  return shared(untrustingSetups, trust, (extraCa) =>
    import('node:tls').then((tls) => {
      // `ca: []`: a store of its own, empty; Node's list is neither parsed nor shared with it. TLS 1.3
      // alone: see trustWhenNotResumed.
      const context = tls.createSecureContext({ ca: [], minVersion: 'TLSv1.3' });
      let state: 'untrusting' | 'trusting' | 'broken' = 'untrusting';
      const trustAll = () => {
        if (state === 'trusting') return;
        if (state === 'broken') throw new Error('MAILV_TLS_TRUST_BROKEN');
        state = 'broken';
        // What a context made without `ca` trusts (Node's list, or OpenSSL's store), then as sharedTlsSetup adds.
        (context as SecureContext & { context: { addRootCerts(): void } }).context.addRootCerts();
        const added = [...(extraCa ?? []), ...(nodeExtraCa?.readNow(tls.rootCertificates) ?? [])];
        if (added.length > 0) withExtraCa(context, added);
        state = 'trusting';
      };
      return { tlsConnect: tls.connect, checkServerIdentity: rfc9525Identity(tls.checkServerIdentity), secureContext: context, trustAll };
    }),
  );
}

/**
 * Node's CA list plus `extraCa`: added, not instead, so --ca never makes another certificate fail.
 * The context's first addition swaps Node's default store for a copy of Node's list alone, without
 * what Node loaded from NODE_EXTRA_CA_CERTS: those come in `extraCa` again (TlsTrust.nodeExtraCa).
 */
function withExtraCa(context: SecureContext, extraCa: readonly Buffer[]): SecureContext {
  const native = (context as SecureContext & { context: { addCACert(pem: Buffer): void } }).context;
  for (const pem of extraCa) native.addCACert(pem);
  return context;
}
