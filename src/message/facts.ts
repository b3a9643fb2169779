// What message/ reports, as data: the codes of its failures and of its notes, with their
// parameters. The words for each are in src/words/en/message.ts and src/words/fr/message.ts.

/**
 * Where text bound for a header came from, so that the words can name the flag, the prompt or the
 * file: a recipient argument, -s, -c, -b, -H, -r, the accounts file, $USER, the Subject: prompt.
 */
export type TextSource =
  | 'recipient-argument'
  | 'subject-option'
  | 'cc-option'
  | 'bcc-option'
  | 'header-option'
  | 'from-option'
  /** mailv-sendmail's -f (or -r), the envelope sender. */
  | 'sendmail-from-option'
  /** mailv-sendmail's -F, the sender's full name. */
  | 'fullname-option'
  | 'config-file'
  | 'user-variable'
  | 'subject-prompt';

/** What a byte source reads: standard input, the spool of a message read from a pipe, or a file. */
export type SourceName = { readonly kind: 'standard-input' } | { readonly kind: 'spool' } | { readonly kind: 'file'; readonly path: string };

/** Failures raised in message/. */
export type MessageErrorFact =
  /** An address or a list of them with a NUL or a line break (`codePoint`) in it. */
  | { readonly code: 'MAILV_ADDRESS_CONTROL'; readonly text: string; readonly codePoint: number }
  | { readonly code: 'MAILV_ADDRESS_EMPTY'; readonly address: string }
  /** Longer than a path may be (RFC 5321 §4.5.3.1.3): `start`, its first characters; `octets`, its length. */
  | { readonly code: 'MAILV_ADDRESS_TOO_LONG'; readonly start: string; readonly octets: number; readonly limit: number }
  | { readonly code: 'MAILV_ADDRESS_LOCAL_PART'; readonly address: string; readonly localPart: string }
  /**
   * No `@`, but a character that looks like one (`codePoint`: U+FF20 from a CJK input method,
   * U+FE6B): taken as a local part, the address would go to a user of this host.
   */
  | { readonly code: 'MAILV_ADDRESS_AT_LOOKALIKE'; readonly address: string; readonly codePoint: number }
  /**
   * An unquoted local part holds a character that does not show (`codePoint`: a zero-width space
   * pasted with the address, a direction mark or override, a tag): the mailbox is not the one seen.
   */
  | { readonly code: 'MAILV_ADDRESS_INVISIBLE'; readonly address: string; readonly codePoint: number }
  /** What stands as the display name holds an angle bracket: another address, a comma missing. */
  | { readonly code: 'MAILV_ADDRESS_NAME'; readonly address: string; readonly name: string }
  | { readonly code: 'MAILV_ADDRESS_NO_DOMAIN'; readonly address: string }
  /** `literal`: the domain is an IP address written bare; as an address literal it would be this. */
  | { readonly code: 'MAILV_ADDRESS_DOMAIN'; readonly address: string; readonly domain: string; readonly literal?: string }
  | { readonly code: 'MAILV_ADDRESS_LIST_QUOTE'; readonly list: string }
  /**
   * Text bound for the header `field` holds a control character (`codePoint`); `field` is
   * undefined for an address that goes in no header (Bcc).
   */
  | { readonly code: 'MAILV_HEADER_CONTROL'; readonly field: string | undefined; readonly codePoint: number; readonly source: TextSource }
  /** Text that was not UTF-8 where it was read (its octets became U+FFFD). */
  | { readonly code: 'MAILV_HEADER_NOT_UTF8'; readonly field: string | undefined; readonly source: TextSource }
  | { readonly code: 'MAILV_HEADER_NAME'; readonly name: string }
  /** A field name too long for a header line of 998 octets with its value (a name cannot be folded). */
  | { readonly code: 'MAILV_HEADER_NAME_LONG'; readonly name: string; readonly longest: number }
  /** A header given without the `Name: value` form. */
  | { readonly code: 'MAILV_HEADER_FORM'; readonly argument: string }
  /** A Bcc field would show the blind copies to every recipient. */
  | { readonly code: 'MAILV_HEADER_BCC' }
  /** Return-Path is written at final delivery, from the envelope sender (RFC 5321 §4.4). */
  | { readonly code: 'MAILV_HEADER_RETURN_PATH' }
  /** A field mailv writes from the MIME structure. */
  | { readonly code: 'MAILV_HEADER_STRUCTURAL'; readonly name: string }
  /** A -H date or message-identifier field whose value is not of its form (RFC 5322 §3.3, §3.6.4). */
  /** A message identifier of -H too long for the line its field name leaves (RFC 5322 §2.1.1). */
  | { readonly code: 'MAILV_HEADER_ID_TOO_LONG'; readonly name: string; readonly length: number; readonly longest: number }
  | { readonly code: 'MAILV_HEADER_VALUE_FORM'; readonly name: string; readonly value: string; readonly wanted: 'date' | 'msg-id' | 'msg-ids' }
  /** An address field of -H that names nobody (`-H 'To:'`); `undisclosed-recipients:;` is a group, and names one. */
  | { readonly code: 'MAILV_HEADER_ADDRESS_EMPTY'; readonly name: string; readonly groupAllowed: boolean }
  /** A group where RFC 5322 §3.6.2 wants mailboxes (From, Sender and their Resent- forms). */
  | { readonly code: 'MAILV_HEADER_ADDRESS_GROUP'; readonly name: string }
  /** Sender (or Resent-Sender) names one mailbox only. */
  | { readonly code: 'MAILV_HEADER_ADDRESS_ONE'; readonly name: string; readonly count: number }
  /** -H gave twice a field a message has at most once (RFC 5322 §3.6). */
  | { readonly code: 'MAILV_HEADER_TWICE'; readonly name: string }
  /** From (or Resent-From) with several authors and no Sender to say which one sent it (RFC 5322 §3.6.2). */
  | { readonly code: 'MAILV_HEADER_SENDER_NEEDED'; readonly name: string; readonly count: number }
  /** A whole message (-t) whose header block does not end within `limit` octets. */
  | { readonly code: 'MAILV_MESSAGE_HEADER_UNENDED'; readonly limit: number }
  /** A header of lines ended by CR alone up to a blank line, in a message whose later lines end in LF: where it ends cannot be told. */
  | { readonly code: 'MAILV_MESSAGE_LINE_ENDS' }
  /** A whole message (-t) whose header block holds a line (`line`, from 1; `text`, its first 60 octets) that is no field. */
  | { readonly code: 'MAILV_MESSAGE_HEADER_LINE'; readonly line: number; readonly text: string }
  /** A -t message's own header field holds a control character: it would reach every reader raw. */
  | { readonly code: 'MAILV_MESSAGE_HEADER_CONTROL'; readonly line: number; readonly field: string; readonly codePoint: number }
  /** A field whose recipients count (-t) is not UTF-8: read, its addresses would carry U+FFFD where its octets were. */
  | { readonly code: 'MAILV_MESSAGE_ADDRESS_NOT_UTF8'; readonly field: string }
  /** Reading failed; `detail` is the system's account of it. */
  | { readonly code: 'MAILV_SOURCE_UNREADABLE'; readonly source: SourceName; readonly errno?: string; readonly detail: string }
  /** The file changed (size or time) while it was being sent. */
  | { readonly code: 'MAILV_SOURCE_CHANGED'; readonly source: SourceName }
  /** The file ended before the size announced. */
  | { readonly code: 'MAILV_SOURCE_SHORTER'; readonly source: SourceName };

/** Notes emitted from message/ (facts worth showing that are not failures). */
export type MessageNote = never;
