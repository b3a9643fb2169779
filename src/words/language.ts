// Which language mailv speaks: every line it prints, the transcript's notes, the errors, the MX plan
// and --explain alike. Apart from the catalogues, so that reading flags does not load them.
export type Language = 'fr' | 'en';

/**
 * The --lang flag when it is `fr` or `en`; otherwise the locale, read as POSIX does: the first of
 * LC_ALL, LC_MESSAGES, LANG that is set and not empty decides, so LC_ALL=C means English even
 * with LANG=fr_FR.UTF-8. Validating the flag is the caller's job: other values are ignored here.
 */
export function chooseLanguage(flag: string | undefined, env: NodeJS.ProcessEnv): Language {
  if (flag === 'fr' || flag === 'en') return flag;
  const locale = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((value) => value !== undefined && value !== '');
  return locale?.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}
