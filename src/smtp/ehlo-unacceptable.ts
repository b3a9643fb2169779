// The replies to EHLO after which a client falls back to HELO: RFC 5321 §4.1.4 names 500, 501,
// 502 and 550 for an EHLO the server does not accept; 504, a parameter not implemented, is one
// more way of saying it. A 554 refuses the session itself: no HELO after it. Shared by the session,
// which falls back, and the explanations, which say so.
export const EHLO_UNACCEPTABLE: ReadonlySet<number> = new Set([500, 501, 502, 504, 550]);
