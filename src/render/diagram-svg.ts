// The rows of a sequence diagram drawn as SVG: a lifeline per lane, an arrow per command and per
// reply with its text above it, the TLS band and the encrypted part behind it, flights in a
// bracket, the notes of --explain beside, a legend. Large type for a projector; colour always
// doubled by the text (the code is in every reply's label) so that it prints in black and white.
// Every text passes through `text()`: server text may hold any octet, and must stay text.
import { unbreakableWords } from './annotation.js';
import { sanitize } from '../text/sanitize.js';
import { displayWidth } from '../text/display-width.js';
import type { Words } from '../words/catalogue.js';
import type { DiagramModel, DiagramOutcome, Row } from './diagram-model.js';

export interface SvgOptions {
  /** --timing: the milliseconds of each row on a left axis. */
  readonly timing: boolean;
  readonly outcome: DiagramOutcome | undefined;
}

const FONT = 18;
const LINE = 24;
const NOTE_FONT = 15;
const NOTE_LINE = 20;
/** Monospace advance, and an upper bound for the proportional text of notes. */
const CHAR = FONT * 0.6;
const NOTE_CHAR = NOTE_FONT * 0.55;
/** Longer lines wrap: a projected line must fit the screen. */
const WRAP = 60;
const NOTE_WRAP = 70;
const MARGIN = 24;
const TIME_WIDTH = 110;
const FLIGHT_WIDTH = 150;
const HEADER_TOP = 30;
const ROW_GAP = 14;

/** Markup-safe text: terminal controls escaped as in the transcript, then XML's specials and non-characters. */
export function text(value: string): string {
  return markup(sanitize(value));
}

/** XML's specials and non-characters escaped in text whose controls already are (what wrap() gives). */
function markup(escaped: string): string {
  return escaped
    .replace(/[\uFFFE\uFFFF]|\p{Cs}/gu, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * What wrap() never cuts through: an escape of sanitize() (`\\`, `\xNN`, `\uNNNN`), or a character
 * beyond U+FFFF (two UTF-16 units); anything else is one unit.
 */
const UNCUT = /\\(?:\\|x[0-9a-f]{2}|u[0-9a-f]{4})|[\uD800-\uDBFF][\uDC00-\uDFFF]|[\s\S]/g;

/**
 * Lines cut to `width` characters, at a space when there is one late enough, each piece on a line
 * of its own: escaped first (so that the width is what shows), hence shown with markup(), not text().
 * A cut falls between whole escapes and whole characters: `\x1b` split over two lines would read
 * as `\x` and a server's `1b`.
 */
function wrap(lines: readonly string[], width: number): string[] {
  return lines.flatMap((line) => {
    const pieces: string[] = [];
    // At spaces as the terminal cuts an explanation (an RFC reference whole, no line starting with
    // French punctuation); a word longer than the width fills the line, cut at the last boundary
    // that cuts no escape and no character.
    let current = '';
    for (const word of unbreakableWords(sanitize(line))) {
      const joined = current === '' ? word : `${current} ${word}`;
      if (joined.length <= width) current = joined;
      else if (word.length <= width) {
        pieces.push(current);
        current = word;
      } else {
        let rest = joined;
        while (rest.length > width) {
          const cut = lastBoundary(rest, width);
          pieces.push(rest.slice(0, cut).trimEnd());
          // A cut at the space before the word: the next line starts with the word, not the space.
          rest = rest.slice(cut).replace(/^ /, '');
        }
        current = rest;
      }
    }
    pieces.push(current);
    return pieces;
  });
}

/** The last place at or before `width` that cuts no escape and no character in two (past `width` only for one that starts at 0). */
function lastBoundary(text: string, width: number): number {
  let boundary = 0;
  for (const unit of text.matchAll(UNCUT)) {
    const end = (unit.index ?? 0) + unit[0].length;
    if (end > width) return boundary === 0 ? end : boundary;
    boundary = end;
  }
  return boundary;
}

const px = (value: number) => Math.round(value * 10) / 10;

export function renderSvg(model: DiagramModel, words: Words, options: SvgOptions): string {
  const said = words.diagram;
  const rows = model.rows.map((row) => ({ row, lines: wrap(row.lines, WRAP), notes: wrap(row.notes, NOTE_WRAP) }));
  // Folded, not spread: a replayed reply may have 100,000 lines, past what a call's arguments may be.
  // In columns: a wide character (CJK) takes two of the monospace advance.
  const widest = rows.reduce((most, { lines }) => lines.reduce((longest, line) => Math.max(longest, displayWidth(line)), most), 24);
  const gap = Math.max(300, widest * CHAR + 60);
  const boxWidthOf = (title: readonly string[]) => Math.min(gap - 24, Math.max(...title.map(displayWidth)) * CHAR + 32);
  // The first lane's heading inside the picture, whatever stands left of its lifeline (or nothing).
  const firstHeading = model.lanes[0] === undefined ? 0 : boxWidthOf(model.lanes[0].title) / 2;
  const left = Math.max(MARGIN + (options.timing ? TIME_WIDTH : 0) + (model.flights.length > 0 ? FLIGHT_WIDTH : 0) + 40, MARGIN + firstHeading);
  const laneX = new Map(model.lanes.map((lane, index) => [lane.key, left + index * gap]));
  const lastX = left + (model.lanes.length - 1) * gap;
  const hasNotes = rows.some(({ notes }) => notes.length > 0);
  const notesX = lastX + 60;
  // The last lane's heading inside the picture too, however long the server's name.
  const lastLane = model.lanes.at(-1);
  const lastHeading = lastLane === undefined ? 0 : lastX + boxWidthOf(lastLane.title) / 2 + MARGIN;
  const lanesWidth = Math.max(notesX + (hasNotes ? NOTE_WRAP * NOTE_CHAR + MARGIN : 0) + MARGIN, lastHeading);
  // How the run ended, under the legend: wrapped to the picture's width (60 characters at least),
  // and the picture as wide as its longest line.
  const outcomeLines =
    options.outcome === undefined
      ? []
      : wrap(
          [said.status(options.outcome.status), ...(options.outcome.failure === undefined ? [] : [options.outcome.failure])],
          Math.max(WRAP, Math.floor((lanesWidth - 2 * MARGIN) / CHAR)),
        );
  const outcomeWidth = outcomeLines.reduce((most, line) => Math.max(most, displayWidth(line)), 0) * CHAR + 2 * MARGIN;
  const width = Math.ceil(Math.max(lanesWidth, outcomeWidth));
  const headerLines = model.lanes.reduce((most, lane) => Math.max(most, lane.title.length), 1);
  const headerBottom = HEADER_TOP + headerLines * LINE + 16;
  const x = (key: string) => laneX.get(key) ?? left;

  const body: string[] = [];
  const behind: string[] = [];
  let y = headerBottom + 24;
  /** The part under TLS of the current connection: where it starts, and on which lane. */
  let secured: { top: number; lane: string } | undefined;
  const flightSpans = new Map<number, { top: number; bottom: number }>();
  const closeSecured = (bottom: number) => {
    if (!secured) return;
    const from = x('client') - 18;
    behind.push(
      `<rect class="encrypted" x="${px(from)}" y="${px(secured.top)}" width="${px(x(secured.lane) - from + 18)}" height="${px(bottom - secured.top)}" rx="8"/>`,
    );
    secured = undefined;
  };

  for (const { row, lines, notes } of rows) {
    if (secured && (!row.encrypted || row.lane !== secured.lane) && row.kind !== 'tls') closeSecured(y - ROW_GAP / 2);
    const top = y;
    const textHeight = lines.length * LINE;
    const band = row.kind === 'tls';
    const height = Math.max(textHeight + (band ? 24 : 20), notes.length * NOTE_LINE + 4);
    const arrowY = top + textHeight + 10;
    if (options.timing) body.push(`<text class="time" x="${MARGIN}" y="${px(arrowY + 5)}">${text(words.timing.ms(row.at.toFixed(1)))}</text>`);
    body.push(drawRow(row, lines, { top, arrowY, from: x('client'), to: x(row.lane) }));
    if (row.kind === 'command' && row.flight !== undefined) {
      const span = flightSpans.get(row.flight);
      flightSpans.set(row.flight, { top: span?.top ?? top + 4, bottom: arrowY + 4 });
    }
    notes.forEach((note, index) => {
      body.push(`<text class="note" x="${px(notesX)}" y="${px(top + (index + 1) * NOTE_LINE - 4)}">${markup(note)}</text>`);
    });
    if (notes.length > 0) body.push(`<line class="note-link" x1="${px(x(row.lane) + 8)}" y1="${px(arrowY)}" x2="${px(notesX - 8)}" y2="${px(arrowY)}"/>`);
    y = top + height + ROW_GAP;
    if (band) secured = { top: y - ROW_GAP / 2, lane: row.lane };
  }
  closeSecured(y - ROW_GAP / 2);

  for (const flight of model.flights) {
    const span = flightSpans.get(flight.id);
    if (!span) continue;
    const bx = x('client') - 46;
    const label = wrap([said.flight(flight.commands)], 16);
    body.push(
      `<g class="flight" data-commands="${flight.commands}"><title>${text(said.flight(flight.commands))}</title><path d="M${px(bx)} ${px(span.top)} h-10 V${px(span.bottom)} h10"/>${label
        .map((line, index) => `<text x="${px(bx - 16)}" y="${px(span.top + (index + 1) * NOTE_LINE)}">${markup(line)}</text>`)
        .join('')}</g>`,
    );
  }

  const lifelineBottom = y;
  const lanes = model.lanes.map((lane) => {
    const lx = x(lane.key);
    const boxWidth = boxWidthOf(lane.title);
    return [
      `<g class="lane lane-${lane.kind}">`,
      `<line class="lifeline" x1="${px(lx)}" y1="${headerBottom}" x2="${px(lx)}" y2="${px(lifelineBottom)}"/>`,
      `<rect class="lane-head" x="${px(lx - boxWidth / 2)}" y="${HEADER_TOP - 6}" width="${px(boxWidth)}" height="${px(headerBottom - HEADER_TOP + 6)}" rx="8"/>`,
      ...wrap(lane.title, Math.floor((gap - 40) / CHAR)).map(
        (line, index) => `<text class="lane-title" x="${px(lx)}" y="${px(HEADER_TOP + (index + 1) * LINE - 4)}">${markup(line)}</text>`,
      ),
      '</g>',
    ].join('');
  });

  // The legend, then how the run ended.
  let footY = lifelineBottom + 30;
  const legend: string[] = [`<g class="legend"><text class="legend-heading" x="${MARGIN}" y="${px(footY)}">${text(said.legend.heading)}</text>`];
  const entries: [string, string][] = [
    ['command', said.legend.command],
    ['reply c2', said.legend.reply2],
    ['reply c3', said.legend.reply3],
    ['reply c4', said.legend.reply4],
    ['reply c5', said.legend.reply5],
  ];
  for (const [kind, label] of entries) {
    footY += LINE + 4;
    legend.push(
      `<g class="${kind}"><line class="shaft" x1="${MARGIN}" y1="${px(footY - 6)}" x2="${MARGIN + 60}" y2="${px(footY - 6)}"/><text x="${MARGIN + 76}" y="${px(footY)}">${text(label)}</text></g>`,
    );
  }
  legend.push('</g>');
  if (options.outcome) {
    footY += LINE + 16;
    legend.push(
      `<g class="outcome ${options.outcome.status === 0 ? 'ok' : 'failed'}">${outcomeLines
        .map((line, index) => `<text x="${MARGIN}" y="${px(footY + index * LINE)}">${markup(line)}</text>`)
        .join('')}</g>`,
    );
    // Every line the wrapping made, not only those given: the picture ends under the last.
    footY += (outcomeLines.length - 1) * LINE;
  }
  const height = Math.ceil(footY + MARGIN);
  const timeHead = options.timing ? [`<text class="time time-head" x="${MARGIN}" y="${px(headerBottom)}">${text(said.time)}</text>`] : [];

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="mailv-diagram" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${text(said.title)}">`,
    `<title>${text(said.title)}</title>`,
    `<style>${SVG_STYLE}</style>`,
    LOCK,
    `<rect class="page" x="0" y="0" width="${width}" height="${height}"/>`,
    ...behind,
    ...lanes,
    ...timeHead,
    ...body,
    ...legend,
    '</svg>',
  ].join('\n');
}

interface Place {
  readonly top: number;
  readonly arrowY: number;
  readonly from: number;
  readonly to: number;
}

/** One row: its arrow (or band) and the lines above it, with the whole text again as a tooltip. */
function drawRow(row: Row, lines: readonly string[], place: Place): string {
  const { top, arrowY, from, to } = place;
  const tooltip = `<title>${[...row.lines, ...row.notes].map(text).join('\n')}</title>`;
  const labels = (x: number, anchor = 'start') =>
    lines
      .map((line, index) => `<text class="label" x="${px(x)}" y="${px(top + (index + 1) * LINE - 6)}" text-anchor="${anchor}">${markup(line)}</text>`)
      .join('');
  const lock = row.encrypted ? `<use href="#lock" x="${px(from - 34)}" y="${px(arrowY - 11)}" width="20" height="22"/>` : '';
  switch (row.kind) {
    case 'command':
      return `<g class="msg command${row.encrypted ? ' secure' : ''}" data-arrow="command">${tooltip}${lock}${arrow(from, to, arrowY)}${labels(from + 14)}</g>`;
    case 'reply':
      return `<g class="msg reply c${row.replyClass}${row.encrypted ? ' secure' : ''}" data-arrow="reply" data-code="${row.code}">${tooltip}${lock}${arrow(to, from, arrowY)}${labels(from + 14)}</g>`;
    case 'dns-query':
      return `<g class="dns query" data-dns="query">${tooltip}${arrow(from, to, arrowY)}${labels(from + 14)}</g>`;
    case 'dns-answer':
      return `<g class="dns answer${row.failed ? ' failed' : ''}" data-dns="answer">${tooltip}${arrow(to, from, arrowY)}${labels(from + 14)}</g>`;
    case 'connect': {
      if (row.refused === undefined) return `<g class="connect" data-connect="made">${tooltip}${arrow(from, to, arrowY)}${labels(from + 14)}</g>`;
      const refused = `<text class="label refused-why" x="${px(from + 14)}" y="${px(arrowY + LINE)}">${text(row.refused)}</text>`;
      return `<g class="connect refused" data-connect="refused">${tooltip}<line class="shaft" x1="${px(from)}" y1="${px(arrowY)}" x2="${px(to)}" y2="${px(arrowY)}"/>${cross(to, arrowY)}${labels(from + 14)}${refused}</g>`;
    }
    case 'tls': {
      const height = lines.length * LINE + 16;
      return `<g class="tls-band" data-band="tls">${tooltip}<rect x="${px(from - 24)}" y="${px(top - 4)}" width="${px(to - from + 48)}" height="${px(height)}" rx="10"/><use href="#lock" x="${px(from - 34)}" y="${px(top + 4)}" width="20" height="22"/>${labels(from + 14)}</g>`;
    }
    case 'deferred':
      return `<g class="deferred" data-deferred="">${tooltip}${cross(to, arrowY)}${labels(to - 24, 'end')}</g>`;
  }
}

function arrow(x1: number, x2: number, y: number): string {
  const direction = x2 > x1 ? 1 : -1;
  const tip = x2 - direction * 2;
  return `<line class="shaft" x1="${px(x1)}" y1="${px(y)}" x2="${px(tip - direction * 12)}" y2="${px(y)}"/><path class="head" d="M${px(tip)} ${px(y)} l${-direction * 16} -7 v14 z"/>`;
}

function cross(x: number, y: number): string {
  return `<path class="cross" d="M${px(x - 12)} ${px(y - 12)} l24 24 m0 -24 l-24 24"/>`;
}

/** A padlock, drawn once and used beside everything under TLS. */
const LOCK =
  '<defs><symbol id="lock" viewBox="0 0 20 22" width="20" height="22"><path class="lock-shackle" d="M5 10 V6.5 a5 5 0 0 1 10 0 V10"/><rect class="lock-body" x="2" y="10" width="16" height="11" rx="2"/></symbol></defs>';

const LIGHT =
  '--bg:#ffffff;--fg:#111418;--muted:#4a5058;--line:#8a9099;--band:#fff3c4;--secure:#e6f0ff;--c2:#116329;--c3:#0a4fa8;--c4:#8a5300;--c5:#b3121f;--cmd:#111418';
const DARK =
  '--bg:#0d1117;--fg:#f0f3f6;--muted:#b7bdc6;--line:#6e7681;--band:#3d3410;--secure:#10233f;--c2:#56d364;--c3:#79c0ff;--c4:#e3b341;--c5:#ff8e86;--cmd:#f0f3f6';

/** Light by default, dark when the system prefers it; the HTML page adds a switch and print rules. */
export const THEMES = { light: LIGHT, dark: DARK };

const THEMED_STYLE = [
  `.mailv-diagram{${LIGHT}}`,
  `@media (prefers-color-scheme: dark){.mailv-diagram{${DARK}}}`,
  `@media print{.mailv-diagram{${LIGHT}}}`,
  '.mailv-diagram{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif}',
  '.mailv-diagram text{fill:var(--fg);font-size:15px;white-space:pre}',
  '.mailv-diagram .page{fill:var(--bg)}',
  '.mailv-diagram .label,.mailv-diagram .lane-title{font-family:ui-monospace,"Cascadia Mono","DejaVu Sans Mono","Liberation Mono",Menlo,Consolas,monospace;font-size:18px;paint-order:stroke;stroke:var(--bg);stroke-width:5px;stroke-linejoin:round}',
  '.mailv-diagram .lane-title{text-anchor:middle;font-weight:700}',
  '.mailv-diagram .lane-head{fill:var(--bg);stroke:var(--fg);stroke-width:2}',
  '.mailv-diagram .lifeline{stroke:var(--line);stroke-width:2;stroke-dasharray:8 6}',
  '.mailv-diagram .shaft{stroke:var(--cmd);stroke-width:3}',
  '.mailv-diagram .head{fill:var(--cmd)}',
  '.mailv-diagram .reply.c2 .shaft{stroke:var(--c2)}.mailv-diagram .reply.c2 .head{fill:var(--c2)}.mailv-diagram .reply.c2 text{fill:var(--c2)}',
  '.mailv-diagram .reply.c3 .shaft{stroke:var(--c3);stroke-dasharray:14 5}.mailv-diagram .reply.c3 .head{fill:var(--c3)}.mailv-diagram .reply.c3 text{fill:var(--c3)}',
  '.mailv-diagram .reply.c4 .shaft{stroke:var(--c4);stroke-dasharray:6 5}.mailv-diagram .reply.c4 .head{fill:var(--c4)}.mailv-diagram .reply.c4 text{fill:var(--c4)}',
  '.mailv-diagram .reply.c5 .shaft{stroke:var(--c5);stroke-dasharray:2 4}.mailv-diagram .reply.c5 .head{fill:var(--c5)}.mailv-diagram .reply.c5 text{fill:var(--c5)}',
  '.mailv-diagram .reply .label{font-weight:600}',
  '.mailv-diagram .dns .shaft,.mailv-diagram .connect .shaft{stroke:var(--muted);stroke-width:2;stroke-dasharray:3 4}',
  '.mailv-diagram .dns .head,.mailv-diagram .connect .head{fill:var(--muted)}',
  '.mailv-diagram .cross{stroke:var(--c5);stroke-width:5;fill:none}',
  '.mailv-diagram .refused-why,.mailv-diagram .deferred text,.mailv-diagram .dns.failed text{fill:var(--c5)}',
  '.mailv-diagram .tls-band rect{fill:var(--band);stroke:var(--fg);stroke-width:1.5}',
  '.mailv-diagram .encrypted{fill:var(--secure)}',
  '.mailv-diagram .lock-body{fill:var(--fg)}.mailv-diagram .lock-shackle{fill:none;stroke:var(--fg);stroke-width:2.5}',
  '.mailv-diagram .flight path{fill:none;stroke:var(--fg);stroke-width:3}.mailv-diagram .flight text{text-anchor:end;font-weight:600}',
  '.mailv-diagram .note{fill:var(--muted)}',
  '.mailv-diagram .note-link{stroke:var(--line);stroke-width:1;stroke-dasharray:1 4}',
  '.mailv-diagram .time{font-family:ui-monospace,"DejaVu Sans Mono",monospace;fill:var(--muted)}',
  '.mailv-diagram .legend-heading,.mailv-diagram .outcome text{font-weight:700;font-size:18px}',
  '.mailv-diagram .outcome.failed text{fill:var(--c5)}',
].join('\n');

/**
 * The light colours written out, before the rules that read them from the theme: a renderer that
 * knows no CSS variables (librsvg before 2.57, many converters and viewers) drops those rules and
 * keeps these, where it drew everything black; a browser takes the later, themed ones.
 */
const LIGHT_COLOURS = new Map(LIGHT.split(';').map((pair) => pair.split(':') as [string, string]));
const SVG_STYLE = [
  THEMED_STYLE.split('\n')
    .filter((rule) => !rule.startsWith('@media') && rule.includes('var(--'))
    .map((rule) => rule.replace(/var\((--[a-z0-9]+)\)/g, (_, name: string) => LIGHT_COLOURS.get(name) ?? 'currentColor'))
    .join('\n'),
  THEMED_STYLE,
].join('\n');
