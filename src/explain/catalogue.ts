// The messages behind --explain, one interface for every language: a catalogue typed `Catalogue`
// must define exactly these keys with exactly these parameters, so a key missing from (or added
// to) one language is a compile error, not a blank line in a transcript.

type Text = string;

export interface Catalogue {
  // Commands mailv sends (RFC 5321 §4.1.1 and the extensions).
  cmdEhlo: (p: { name: string }) => Text;
  cmdEhloAgain: Text;
  cmdLhlo: (p: { name: string }) => Text;
  cmdHelo: (p: { name: string }) => Text;
  cmdStarttls: Text;
  cmdXclient: Text;
  cmdProxyV1: Text;
  cmdProxyV2: Text;
  cmdAuth: (p: { mechanism: string }) => Text;
  mechScramSha256: Text;
  mechCramMd5: Text;
  mechPlain: Text;
  mechLogin: Text;
  mechXoauth2: Text;
  mechOther: (p: { mechanism: string }) => Text;
  authInitial: Text;
  authInitialRedacted: Text;
  /** The same where no secret is ever shown, whatever the options: a diagram, a replay. */
  authInitialHidden: Text;
  authInitialEmpty: Text;
  authAnswer: Text;
  authAnswerRedacted: Text;
  authAnswerHidden: Text;
  authAnswerEmpty: Text;
  authCancel: Text;
  cmdMailFrom: (p: { sender: string }) => Text;
  cmdMailFromNull: Text;
  paramSize: (p: { octets: number }) => Text;
  paramBody8bit: Text;
  paramSmtputf8: Text;
  paramOther: (p: { param: string }) => Text;
  paramRet: (p: { value: string }) => Text;
  paramEnvid: Text;
  paramNotify: (p: { value: string }) => Text;
  paramOrcpt: Text;
  cmdRcptTo: (p: { recipient: string }) => Text;
  envelopeNotHeaders: Text;
  /** The envelope sender is not the address `field` (From or Resent-From) shows (`from`): bounces go to the one, readers see the other. */
  senderNotFrom: (p: { field: 'From' | 'Resent-From'; from: string }) => Text;
  /** A recipient no destination field (To, Cc) names because it is a blind copy (-b, a -t message's Bcc:). */
  rcptBlind: (p: { recipient: string }) => Text;
  /** A recipient no destination field names, though no Bcc hid it (sendmail's arguments, -t with more recipients). */
  rcptEnvelopeOnly: (p: { recipient: string }) => Text;
  /** A recipient Cc: (or Resent-Cc:) shows: every recipient sees it, the envelope does not tell it from To:. */
  rcptCc: (p: { recipient: string }) => Text;
  /** An address a recipient field (`field`) shows that no RCPT carries: it does not get the message. */
  headerNotEnvelope: (p: { recipient: string; field: string }) => Text;
  /** An address whose domain went on the wire in A-labels: `ascii` as sent, `unicode` as typed. */
  idnaDomain: (p: { ascii: string; unicode: string }) => Text;
  cmdData: Text;
  cmdDataEnd: Text;
  /** The lone dot that closes a DATA accepted after every recipient was refused (RFC 2920 §3.1). */
  cmdDataEndEmpty: Text;
  cmdBdat: (p: { octets: number }) => Text;
  cmdBdatLast: (p: { octets: number }) => Text;
  /** BDAT … LAST with no chunk before it: the whole message in one. */
  cmdBdatOnly: (p: { octets: number }) => Text;
  /** A chunk sent without waiting for the reply to the one before (PIPELINING). */
  bdatNotAwaited: Text;
  cmdRset: Text;
  cmdQuit: Text;
  cmdQuitInFlight: Text;
  cmdOther: (p: { verb: string }) => Text;
  pipelinedGroup: (p: { count: number; hello: 'EHLO' | 'LHLO' }) => Text;
  bodyStart: Text;

  // Reply codes: structure (RFC 5321 §4.2.1).
  replyStructure: (p: { code: number; severity: string; category: string }) => Text;
  replyClass2: Text;
  replyClass3: Text;
  replyClass4: Text;
  replyClass5: Text;
  replyDigit0: Text;
  replyDigit1: Text;
  replyDigit2: Text;
  replyDigitUnspecified: Text;
  replyDigit5: Text;

  // Reply codes (RFC 5321 §4.2.2, §4.2.3; RFC 4954 §6; RFC 7504).
  code211: Text;
  code214: Text;
  code220: Text;
  code221: Text;
  code235: Text;
  code250: Text;
  code251: Text;
  code252: Text;
  code334: Text;
  code354: Text;
  replyOutOfPlace: (p: { code: number }) => Text;
  code421: Text;
  code432: Text;
  code450: Text;
  code451: Text;
  code452: Text;
  code454: Text;
  code455: Text;
  code500: Text;
  code501: Text;
  code502: Text;
  code503: Text;
  code504: Text;
  code521: Text;
  code530: Text;
  code534: Text;
  code535: Text;
  code538: Text;
  code550: Text;
  code551: Text;
  code552: Text;
  code553: Text;
  code554: Text;
  code555: Text;
  code556: Text;

  // The same codes read in context: what the reply answers.
  code220Greeting: Text;
  /** The greeting read after an EHLO sent before it (PIPECONNECT). */
  code220AfterEarlyEhlo: Text;
  /** A 554 greeting after mailv spoke first: perhaps a refusal of early talk, not of all mail. */
  code554AfterEarlyEhlo: Text;
  code220Tls: Text;
  code220Xclient: Text;
  code554Greeting: Text;
  code250Ehlo: Text;
  /** A 5xx to EHLO: the hello refused, no mailbox in question; `early`: the EHLO sent before the greeting. */
  codeEhloRefused: (p: { code: number; verb: 'EHLO' | 'LHLO' }) => Text;
  codeEhloRefusedEarly: (p: { code: number }) => Text;
  code250Lhlo: Text;
  code250Helo: Text;
  code250Mail: (p: { sender: string }) => Text;
  code250Rcpt: (p: { recipient: string }) => Text;
  code250Message: Text;
  /** 250 to that empty message: it goes to no one. */
  code250Empty: Text;
  /** 500 or 502 to EHLO: a server without extensions; HELO follows. */
  codeEhloUnknown: (p: { code: number }) => Text;
  /** A 5xx to RCPT other than a mailbox's: this recipient refused, the others go on. */
  code5xxRcpt: (p: { code: number }) => Text;
  /** The same after `BDAT … LAST`, whose verdict RFC 3030 §2 makes the final dot's. */
  code250LastChunk: Text;
  code250Delivered: (p: { recipient: string }) => Text;
  code250Chunk: (p: { octets: number }) => Text;
  code250Rset: Text;
  /** A 503 to RCPT after MAIL was refused: no transaction to add a recipient to. */
  code503AfterMailRefused: Text;
  /** A 503 or 554 to DATA or BDAT when MAIL, or every RCPT, was refused: nobody to send the message to. */
  codeNoRecipientTaken: (p: { code: number }) => Text;
  code334Empty: Text;
  code454Tls: Text;
  code501Cancel: Text;
  ehloFallback: Text;

  // The EHLO reply, line by line (RFC 5321 §4.1.1.1).
  ehloServerName: (p: { name: string }) => Text;
  /** The first line of the EHLO reply names no server. */
  ehloNoServerName: Text;
  ehloAfterTls: Text;
  extPipelining: Text;
  extSize: (p: { limit: number | undefined }) => Text;
  /** SIZE with a value that is no limit mailv can read (not digits, or too large): taken as none. */
  extSizeUnreadable: (p: { value: string }) => Text;
  ext8bitmime: Text;
  extSmtputf8: Text;
  extStarttls: Text;
  extAuth: (p: { mechanisms: string }) => Text;
  extAuthLegacy: (p: { keyword: string }) => Text;
  extDsn: Text;
  extChunking: Text;
  extBinarymime: Text;
  extEnhancedStatusCodes: Text;
  extVrfy: Text;
  extEtrn: Text;
  extHelp: Text;
  extExpn: Text;
  extDeliverby: Text;
  extMtPriority: Text;
  extRequiretls: Text;
  extLimits: (p: { limits: string }) => Text;
  extXclient: Text;
  extXforward: Text;
  extPipeconnect: Text;
  /** The reply of a server offering PIPECONNECT, remembered for the next run. */
  ehloKept: Text;
  ehloKeptTlsFollows: Text;
  ehloKeptNoPipelining: Text;
  extVerb: Text;
  extUnknown: (p: { keyword: string }) => Text;

  // Enhanced status codes (RFC 3463 and the IANA registry).
  enhancedGeneric: (p: { code: string; severity: string; subject: string }) => Text;
  enhancedClass2: Text;
  enhancedClass4: Text;
  enhancedClass5: Text;
  enhancedSubject0: Text;
  enhancedSubject1: Text;
  enhancedSubject2: Text;
  enhancedSubject3: Text;
  enhancedSubject4: Text;
  enhancedSubject5: Text;
  enhancedSubject6: Text;
  enhancedSubject7: Text;
  enhancedSubjectOther: Text;
  enhanced2_0_0: Text;
  enhanced2_1_0: Text;
  enhanced2_1_0Sender: Text;
  enhanced2_1_5: Text;
  enhanced2_6_0: Text;
  enhanced2_7_0: Text;
  enhanced4_2_2: Text;
  enhanced4_3_1: Text;
  enhanced4_3_2: Text;
  enhanced4_4_1: Text;
  enhanced4_4_2: Text;
  enhanced4_4_5: Text;
  enhanced4_5_3: Text;
  enhanced4_7_0: Text;
  enhanced4_7_1: Text;
  enhanced5_0_0: Text;
  enhanced5_1_1: Text;
  enhanced5_1_2: Text;
  enhanced5_1_3: Text;
  enhanced5_1_6: Text;
  enhanced5_1_7: Text;
  enhanced5_1_8: Text;
  enhanced5_1_10: Text;
  enhanced5_2_1: Text;
  enhanced5_2_2: Text;
  enhanced5_2_3: Text;
  enhanced5_3_4: Text;
  enhanced5_4_4: Text;
  enhanced5_5_1: Text;
  enhanced5_5_2: Text;
  enhanced5_5_3: Text;
  enhanced5_5_4: Text;
  enhanced5_5_6: Text;
  enhanced5_6_7: Text;
  enhanced5_7_0: Text;
  enhanced5_7_1: Text;
  enhanced5_7_8: Text;
  enhanced5_7_9: Text;
  enhanced5_7_11: Text;
  enhanced5_7_23: Text;
  enhanced5_7_26: Text;
  enhanced5_7_27: Text;

  // Notes: connection, TLS, outcomes.
  /** To 587 or 465. */
  connectingSubmission: (p: { host: string }) => Text;
  /** To 25, any other port but 587 and 465, or a unix-domain socket: a server that delivers or relays. */
  connectingServer: (p: { host: string }) => Text;
  /** To --demo's own server, and the free port it took. */
  connectingDemo: (p: { host: string }) => Text;
  portDemo: (p: { port: number }) => Text;
  connectingEsmtp: (p: { host: string }) => Text;
  /** Direct delivery to an address literal: no MX, no domain. */
  connectingLiteral: (p: { host: string }) => Text;
  connectingLmtp: (p: { host: string }) => Text;
  port25: Text;
  port465: Text;
  /** Port 465 reached without smtps://: mailv speaks in clear where the server waits for TLS. */
  port465Plain: Text;
  port587: Text;
  /** A port of none of those three uses (a test server's, a provider's 2525): the relay's role is not the port's. */
  portOther: (p: { port: number }) => Text;
  /** --direct to a port other than 25: only --port sends it there. */
  portDirect: (p: { port: number }) => Text;
  connected: Text;
  tls13: Text;
  tls12: Text;
  tlsOld: (p: { protocol: string }) => Text;
  tlsCipher: (p: { cipher: string }) => Text;
  tlsVerified: Text;
  /** A resumed session: no certificate came in this handshake, it was checked when the session was made. */
  tlsResumed: Text;
  tlsNotVerified: Text;
  tlsCertificate: Text;
  tlsClientAsked: Text;
  tlsClientNotAsked: Text;
  recipientSent: (p: { recipient: string }) => Text;
  recipientDelivered: (p: { recipient: string }) => Text;
  recipientRefused: (p: { recipient: string }) => Text;
  recipientDeferred: (p: { recipient: string }) => Text;
  recipientDeferredNext: (p: { recipient: string }) => Text;
  recipientDeferredStays: (p: { recipient: string }) => Text;
  deferredHost: (p: { host: string }) => Text;
  deferredLast: (p: { host: string }) => Text;
  /** Recipients a transaction that failed without a reply left without a verdict, the message sent whole: it may have arrived. */
  unsettledUnconfirmed: Text;
  /** The same, the message not sent whole: it did not arrive. */
  unsettledNotSent: Text;
  /** `submission`: the server is on 587 or 465, where RFC 6409 applies. */
  deferredRelay: (p: { host: string; submission: boolean }) => Text;
  deferredAddress: (p: { host: string; address: string }) => Text;
  deferredLmtp: (p: { host: string }) => Text;
  closing: Text;
  closingEarly: Text;
  unreadableReply: Text;
  closingQuitSent: Text;
  noteDecoded: Text;
  noteStarttlsRefused: Text;
  noteRetryWithoutTls: Text;
  noteRetryWithoutCertificate: Text;
  notePipeconnect: Text;
  noteResumptionFailed: Text;

  // DNS (RFC 1035; MX from RFC 5321 §5.1).
  dnsQueryMx: (p: { name: string }) => Text;
  dnsQueryA: (p: { name: string }) => Text;
  dnsQueryAaaa: (p: { name: string }) => Text;
  dnsOverTcp: Text;
  dnsNoError: Text;
  dnsNxdomain: (p: { name: string }) => Text;
  dnsServfail: Text;
  dnsRefused: Text;
  dnsRcodeOther: (p: { rcode: string }) => Text;
  dnsNoData: Text;
  /** Asked again without EDNS: the server answered FORMERR to it. */
  dnsWithoutEdns: Text;
  /** NOERROR with no answer, NS records and no SOA: a referral, which says nothing of the name. */
  dnsReferral: Text;
  dnsNoMx: Text;
  dnsMxPreference: Text;
  dnsNullMx: Text;
  dnsMxSingle: Text;
  dnsMxNoHost: Text;
  dnsCname: Text;
  dnsMxHostAlias: Text;
  dnsAdditional: Text;
  dnsTruncated: Text;
  /** Truncated over TCP already: no retry follows, the server is failing. */
  dnsTruncatedTcp: Text;
  dnsNoAnswer: (p: { server: string }) => Text;

  // The MX plan: the order hosts are tried in, and what sends mailv on to the next (RFC 5321 §5.1, RFC 7505).
  planPreference: (p: { preferences: readonly number[] }) => Text;
  planOneHost: Text;
  planTie: (p: { hosts: readonly string[]; preference: number }) => Text;
  planNextHost: Text;
  planFinalReply: Text;
  /** A refused EHLO (or the HELO after it) ends delivery at that host too, unlike a refused greeting. */
  planHelloRefused: Text;
  planNoneTook: Text;
  planImplicit: (p: { domain: string }) => Text;
  planLiteral: (p: { domain: string }) => Text;
  planNullMx: (p: { domain: string }) => Text;
  planNoMxHost: (p: { domain: string }) => Text;
}

export type MessageKey = keyof Catalogue;

/** The keys whose message takes no parameter. */
export type TextKey = { [K in MessageKey]: Catalogue[K] extends string ? K : never }[MessageKey];

/** A size in binary units for reading (`25 MiB`); `decimal` is the language's decimal mark. */
export function binarySize(octets: number, units: readonly [string, string, string], decimal: string): string {
  let value = octets / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = Number.isInteger(value) ? String(value) : value.toFixed(1).replace('.', decimal);
  return `${text} ${units[unit] ?? ''}`;
}
