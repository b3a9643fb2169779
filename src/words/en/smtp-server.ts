// The text of mailv-sendmail -bs's replies, in English, worded as Postfix's smtpd words its own.
import type { SmtpServerWords } from '../smtp-server-words.js';

const FORMS = { HELO: 'HELO hostname', EHLO: 'EHLO hostname', MAIL: 'MAIL FROM:<address>', RCPT: 'RCPT TO:<address>', DATA: 'DATA', RSET: 'RSET' } as const;

export const smtpServerWords: SmtpServerWords = {
  greeting: 'ESMTP mailv-sendmail',
  ok: 'Ok',
  sent: (partly) => (partly ? 'Ok: sent, but not to every recipient (see standard error)' : 'Ok: sent'),
  startData: 'End data with <CR><LF>.<CR><LF>',
  bye: 'Bye',
  nestedMail: 'Error: nested MAIL command',
  needMail: 'Error: need MAIL command',
  needRecipient: 'Error: need RCPT command',
  syntax: (verb) => `Syntax: ${FORMS[verb]}`,
  notOffered: (verb) => `Error: ${verb} is not offered here`,
  unknown: 'Error: command not recognized',
  lineTooLong: 'Error: line too long',
  notUtf8: 'Error: the command is neither ASCII nor UTF-8',
  tooManyRecipients: 'Error: too many recipients',
  unsupportedParameter: (parameter) => `5.5.4 Unsupported option: ${parameter}`,
  badParameter: (name) =>
    name === 'SIZE' ? '5.5.4 Bad message size syntax' : `5.5.4 ${name === 'NOTIFY' || name === 'ORCPT' ? 'Error: ' : ''}Bad ${name} parameter syntax`,
  sizeOverflow: '5.3.4 Message size exceeds file system imposed limit',
  undeclaredUtf8: '5.6.7 Must declare SMTPUTF8 to send unicode address',
  closing: 'mailv-sendmail is stopping: try again later',
  idle: 'Error: timeout exceeded',
  help: 'Commands: HELO EHLO MAIL RCPT DATA RSET NOOP VRFY HELP QUIT',
  vrfy: 'Cannot VRFY, but will try a message to it',
};
