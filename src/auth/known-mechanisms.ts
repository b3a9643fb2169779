// The SASL mechanisms mailv speaks, strongest first: SCRAM proves both sides; CRAM-MD5 hides the
// password; PLAIN and LOGIN do not. XOAUTH2 takes a token, not a password. Kept apart from the
// mechanisms themselves so that parsing flags does not load node:crypto.
export const PASSWORD_MECHANISMS = ['SCRAM-SHA-256', 'CRAM-MD5', 'PLAIN', 'LOGIN'] as const;
export const KNOWN_MECHANISMS: readonly string[] = [...PASSWORD_MECHANISMS, 'XOAUTH2'];
