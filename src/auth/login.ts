// LOGIN (draft-murchison-sasl-login): the server asks for the user name, then the password. No
// initial response, as most servers expect. The answer goes by the challenge's place, never by its
// words: a prompt is free text ("User password:", "Benutzername:"), and clients (smtplib, msmtp)
// and Microsoft's LOGIN (MS-XLOGIN §2.2) agree on the order alone.
import type { Credentials, SaslMechanism } from './mechanism.js';

export function loginMechanism({ user, secret }: Credentials): SaslMechanism {
  let asked = 0;
  return {
    name: 'LOGIN',
    initialResponse: () => undefined,
    respond() {
      asked++;
      return Buffer.from(asked === 1 ? user : secret, 'utf8');
    },
  };
}
