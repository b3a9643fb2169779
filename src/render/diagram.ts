// --diagram: the session as a sequence diagram, from its events and their times alone, as one
// self-contained file: an SVG picture, or an HTML page holding it with a theme switch and print
// rules. Nothing in it loads anything: no script, no external stylesheet, font or image, and the
// page's Content-Security-Policy forbids them all.
import { Explainer, catalogueFor } from '../explain/explainer.js';
import type { Words } from '../words/catalogue.js';
import type { Language } from '../words/language.js';
import { buildModel, type DiagramOutcome, type TimedEvent } from './diagram-model.js';
import { THEMES, renderSvg, text } from './diagram-svg.js';

export type { DiagramOutcome, TimedEvent };

export type DiagramFormat = 'html' | 'svg';

export interface DiagramOptions {
  readonly format: DiagramFormat;
  readonly language: Language;
  readonly words: Words;
  /** --explain: each arrow's explanation beside it. */
  readonly explain: boolean;
  /** --timing: a time axis. */
  readonly timing: boolean;
  /** How the run ended; undefined for a session whose end is not known. */
  readonly outcome?: DiagramOutcome;
  /** The login's user name: no secret, shown wherever a server quotes it, as the dialogue shows it. */
  readonly user?: string;
}

export function renderDiagram(events: readonly TimedEvent[], options: DiagramOptions): string {
  // A diagram never shows a secret, whatever --show-secrets says (see diagram-model.ts).
  const explainer = options.explain ? new Explainer(catalogueFor(options.language), false) : undefined;
  const model = buildModel(events, options.words, explainer, options.outcome, options.user);
  const svg = renderSvg(model, options.words, { timing: options.timing, outcome: options.outcome });
  if (options.format === 'svg') return `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`;
  return htmlPage(svg, options);
}

function htmlPage(svg: string, options: DiagramOptions): string {
  const said = options.words.diagram;
  return [
    '<!DOCTYPE html>',
    `<html lang="${options.language}">`,
    '<head>',
    '<meta charset="utf-8">',
    // Nothing may load, whatever the server's text held: styles inline, no script at all.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${text(said.title)}</title>`,
    `<style>${PAGE_STYLE}</style>`,
    '</head>',
    '<body>',
    `<header><h1>${text(said.title)}</h1><label class="theme"><input type="checkbox" id="theme"> ${text(said.theme)}</label></header>`,
    `<main>${svg}</main>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

// The switch turns the other theme on, whichever the system prefers; paper is always light.
const PAGE_STYLE = [
  `:root{color-scheme:light dark;${THEMES.light}}`,
  `@media (prefers-color-scheme: dark){:root{${THEMES.dark}}}`,
  `:root:has(#theme:checked){${THEMES.dark}}`,
  `@media (prefers-color-scheme: dark){:root:has(#theme:checked){${THEMES.light}}}`,
  `:root:has(#theme:checked) .mailv-diagram{${THEMES.dark}}`,
  `@media (prefers-color-scheme: dark){:root:has(#theme:checked) .mailv-diagram{${THEMES.light}}}`,
  'body{margin:0;padding:16px 24px;background:var(--bg);color:var(--fg);font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif;font-size:20px}',
  'header{display:flex;gap:24px;align-items:baseline;flex-wrap:wrap}',
  'h1{font-size:28px;margin:0 0 12px}',
  '.theme{font-size:18px;cursor:pointer}',
  '.theme input{width:20px;height:20px;vertical-align:middle}',
  'main svg{max-width:100%;height:auto}',
  `@media print{:root,:root:has(#theme:checked),:root:has(#theme:checked) main .mailv-diagram{${THEMES.light}}.theme{display:none}body{padding:0}}`,
].join('\n');
