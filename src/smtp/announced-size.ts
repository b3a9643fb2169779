// A message goes out with the size announced for it (SIZE=, BDAT n): a source that turns out
// longer or shorter while it is read fails the send before the message can end (RFC 1870, 3030).
import { LocalIoError } from '../errors.js';

export function grewPastSize(size: number): LocalIoError {
  return new LocalIoError({ code: 'MAILV_MESSAGE_GREW', size }, 'body');
}

export function endedShort(missing: number): LocalIoError {
  return new LocalIoError({ code: 'MAILV_MESSAGE_SHORT', missing }, 'body');
}
