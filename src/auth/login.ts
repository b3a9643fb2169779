// LOGIN (draft-murchison-sasl-login): the server asks "Username:" then "Password:". No initial
// response, as most servers expect; the prompts are matched by content, not order, in case a
// server sends something else first.
import type { Credentials, SaslMechanism } from './mechanism.js';

export function loginMechanism({ user, secret }: Credentials): SaslMechanism {
  let asked = 0;
  return {
    name: 'LOGIN',
    initialResponse: () => undefined,
    respond(challenge) {
      asked++;
      const prompt = challenge.toString('utf8').toLowerCase();
      const wantsUser = prompt.startsWith('user') || (!prompt.startsWith('pass') && asked === 1);
      return Buffer.from(wantsUser ? user : secret, 'utf8');
    },
  };
}
