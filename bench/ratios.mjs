#!/usr/bin/env node
// Pools the hyperfine rounds of one measurement and prints a Markdown table of means, medians and
// ratios to a reference command, with the peak RSS of one /usr/bin/time run each:
//
//   node bench/ratios.mjs WORKDIR GROUP REFERENCE
//
// WORKDIR holds GROUP.N.json (hyperfine --export-json of round N), GROUP.commands.tsv
// (name<TAB>command) and GROUP.rss.tsv (name<TAB>wall seconds<TAB>peak RSS in KiB).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [work, group, reference] = process.argv.slice(2);
if (!work || !group || !reference) {
  process.stderr.write('usage: node bench/ratios.mjs WORKDIR GROUP REFERENCE\n');
  process.exit(64);
}
const tsv = (name) =>
  existsSync(join(work, name))
    ? readFileSync(join(work, name), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('\t'))
    : [];
const files = readdirSync(work).filter((f) => new RegExp(`^${group}\\.\\d+\\.json$`).test(f));
if (!files.length) throw new Error(`${group}: no hyperfine results in ${work}`);
const times = new Map(tsv(`${group}.commands.tsv`).map(([name]) => [name, []]));
for (const file of files) {
  for (const result of JSON.parse(readFileSync(join(work, file), 'utf8')).results) {
    if (result.exit_codes.some((code) => code !== 0)) throw new Error(`${group}: ${result.command} exited non-zero`);
    times.get(result.command)?.push(...result.times);
  }
}
const stats = [...times].map(([name, t]) => {
  const mean = t.reduce((a, b) => a + b, 0) / t.length;
  const stddev = Math.sqrt(t.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, t.length - 1));
  const sorted = [...t].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  return { name, mean, stddev, median, min: sorted[0], runs: t.length };
});
const ref = stats.find((s) => s.name === reference);
if (!ref) throw new Error(`${group}: no command named ${reference}`);
const rss = Object.fromEntries(tsv(`${group}.rss.tsv`).map(([name, , kib]) => [name, kib]));
const ms = (seconds) => (seconds * 1000).toFixed(1);
const lines = [
  `| Command | Mean ± σ (ms) | Median (ms) | Min (ms) | Runs | × \`${reference}\` (mean) | × (median) | Peak RSS |`,
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
];
for (const s of stats) {
  const q = s.mean / ref.mean;
  const sigma = s === ref ? 0 : q * Math.hypot(s.stddev / s.mean, ref.stddev / ref.mean);
  const peak = rss[s.name] ? `${(Number(rss[s.name]) / 1024).toFixed(1)} MiB` : '–';
  lines.push(
    `| \`${s.name}\` | ${ms(s.mean)} ± ${ms(s.stddev)} | ${ms(s.median)} | ${ms(s.min)} | ${s.runs} | ${q.toFixed(2)} ± ${sigma.toFixed(2)} | ${(s.median / ref.median).toFixed(2)} | ${peak} |`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
