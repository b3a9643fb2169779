// The system's errors in French, for the files and outputs mailv writes or reads: a code mailv
// knows in its own words, any other by its code.
import type { SystemProblem } from '../../cli/facts.js';

const ERRNO: Readonly<Record<string, string>> = {
  ENOENT: 'fichier ou répertoire inexistant',
  EACCES: 'permission refusée',
  EPERM: 'opération non permise',
  EISDIR: 'c’est un répertoire',
  ENOTDIR: 'une partie du chemin n’est pas un répertoire',
  EROFS: 'système de fichiers en lecture seule',
  ENOSPC: 'plus de place sur le périphérique',
  EDQUOT: 'quota de disque dépassé',
  EFBIG: 'fichier trop gros',
  EIO: 'erreur d’entrée-sortie',
  EBADF: 'descripteur de fichier non ouvert',
  ENXIO: 'personne ne le lit (un FIFO sans lecteur)',
  ELOOP: 'trop de liens symboliques',
  ENAMETOOLONG: 'nom de fichier trop long',
  EMFILE: 'trop de fichiers ouverts',
  ENFILE: 'trop de fichiers ouverts dans le système',
  EBUSY: 'périphérique ou ressource occupé',
  EEXIST: 'il existe déjà',
  ENODEV: 'périphérique inexistant',
  EXDEV: 'pas sur le même système de fichiers',
  EPIPE: 'le lecteur est parti',
};

/** A file's system error in words: `known`'s for its code, else these; a code not listed as the system names it (`EXDEV`), not in the English words of Node's message. */
export const systemProblem = ({ errno, detail }: SystemProblem, known: Readonly<Record<string, string>> = {}): string =>
  errno !== undefined ? (known[errno] ?? ERRNO[errno] ?? errno) : detail;
