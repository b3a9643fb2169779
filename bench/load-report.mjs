#!/usr/bin/env node
// Turns what bench/load.sh measured into Markdown on stdout:
//
//   node bench/load-report.mjs WORKDIR --count N --loop N --big N --octets SOURCE,MAILV
//
// WORKDIR holds GROUP.N.json (hyperfine --export-json of round N; the runs of every round are
// pooled per command), GROUP.commands.tsv (name<TAB>command), big.mailv and big.source
// (/usr/bin/time "%e %M"), big.mailv.json (mailv's --json summary of the big run) and
// sink.cpu.tsv (name<TAB>"user system" seconds<TAB>smtp-sink's CPU seconds over the same run).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const work = args[0];
const option = (name) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? undefined : args[at + 1];
};
const count = Number(option('count'));
const loop = Number(option('loop'));
const big = Number(option('big'));
const [sourceOctets, mailvOctets] = (option('octets') ?? ',').split(',');
if (!work || !count || !loop || !big) {
  process.stderr.write('usage: node bench/load-report.mjs WORKDIR --count N --loop N --big N --octets SOURCE,MAILV\n');
  process.exit(64);
}

/** Every run's wall time of every command of `group`, pooled over the rounds, by name. */
function pooled(group) {
  const times = new Map();
  for (const file of readdirSync(work).filter((name) => name.startsWith(`${group}.`) && name.endsWith('.json'))) {
    for (const result of JSON.parse(readFileSync(join(work, file), 'utf8')).results) {
      times.set(result.command, [...(times.get(result.command) ?? []), ...result.times]);
    }
  }
  const order = readFileSync(join(work, `${group}.commands.tsv`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t')[0]);
  return order.map((name) => ({ name, ...stats(times.get(name) ?? []) }));
}

function stats(values) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1));
  return { mean, sd, runs: values.length };
}

const rate = (messages, { mean, sd }) => ({ value: messages / mean, sd: (messages / mean) * (sd / mean) });
const ratio = (a, b) => {
  const value = a.value / b.value;
  return { value, sd: value * Math.sqrt((a.sd / a.value) ** 2 + (b.sd / b.value) ** 2) };
};
const figure = ({ value, sd }, digits = 0) => `${value.toFixed(digits)} ± ${sd.toFixed(digits)}`;

const out = [];
out.push(`## Against smtp-sink: ${count} messages of the same size`);
out.push('');
out.push(
  `Octets per message as counted by bench/sink.mjs: smtp-source ${sourceOctets}, mailv ${mailvOctets}. Each figure: ${count} ÷ the mean wall time of all runs (σ from their spread), Node's start-up included for mailv; the last column is mailv's own figure from one more run, which leaves it out.`,
);
out.push('');
out.push('| setting | smtp-source msg/s | mailv msg/s | mailv ÷ smtp-source | mailv msg/s, start-up left out |');
out.push('| --- | --- | --- | --- | --- |');
const sink = pooled('sink');
const own = new Map(
  existsSync(join(work, 'sink.own.tsv'))
    ? readFileSync(join(work, 'sink.own.tsv'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('\t'))
    : [],
);
for (const setting of ['C=1, one connection', 'C=20, one connection each', 'C=1, a connection per message', 'C=20, a connection per message']) {
  const source = sink.find((each) => each.name === `smtp-source, ${setting}`);
  const mailv = sink.find((each) => each.name === `mailv, ${setting}`);
  const a = rate(count, mailv);
  const b = rate(count, source);
  out.push(`| ${setting} | ${figure(b)} | ${figure(a)} | ${figure(ratio(a, b), 2)} × | ${own.get(`mailv, ${setting}`) ?? '–'} |`);
}
const bare = sink.filter((each) => each.name.startsWith('bare Node client'));
if (bare.length > 0) {
  out.push('');
  out.push('The yardstick, bench/bare-client.mjs (the same dialogue with nothing else: no events, no checks):');
  out.push('');
  out.push('| setting | bare Node client msg/s | ÷ smtp-source |');
  out.push('| --- | --- | --- |');
  for (const each of bare) {
    const setting = each.name.replace('bare Node client, ', '');
    const source = sink.find((other) => other.name === `smtp-source, ${setting}`);
    out.push(`| ${setting} | ${figure(rate(count, each))} | ${figure(ratio(rate(count, each), rate(count, source)), 2)} × |`);
  }
}
const cpuFile = join(work, 'sink.cpu.tsv');
if (existsSync(cpuFile)) {
  out.push('');
  out.push(
    `Where the CPU goes: one more run of each, the client's user and system time (\`/usr/bin/time\`, threads included) and smtp-sink's over the same run (from /proc), in µs a message; both share the 2 cores.`,
  );
  out.push('');
  out.push('| client, setting | user | system | client in all | smtp-sink |');
  out.push('| --- | ---: | ---: | ---: | ---: |');
  const perMessage = (seconds) => ((Number(seconds) * 1e6) / count).toFixed(0);
  for (const line of readFileSync(cpuFile, 'utf8').split('\n').filter(Boolean)) {
    const [name, times, sinkSeconds] = line.split('\t');
    const [user, system] = times.split(' ');
    out.push(`| ${name} | ${perMessage(user)} | ${perMessage(system)} | ${perMessage(Number(user) + Number(system))} | ${perMessage(sinkSeconds)} |`);
  }
}
out.push('');
out.push(`## Against Postfix on 127.0.0.1:25: ${loop} small messages`);
out.push('');
out.push('| how | wall time | msg/s | ÷ for loop of swaks |');
out.push('| --- | --- | --- | --- |');
const postfix = pooled('postfix');
const swaks = rate(
  loop,
  postfix.find((each) => each.name.includes('swaks')),
);
for (const each of postfix) {
  const r = rate(loop, each);
  out.push(`| ${each.name} | ${each.mean.toFixed(2)} ± ${each.sd.toFixed(2)} s | ${figure(r, 1)} | ${figure(ratio(r, swaks), 1)} × |`);
}
out.push('');
const timeOf = (name) => readFileSync(join(work, name), 'utf8').trim().split('\n').pop().split(' ').map(Number);
const [mailvSeconds, mailvKib] = timeOf('big.mailv');
const [sourceSeconds, sourceKib] = timeOf('big.source');
const summary = existsSync(join(work, 'big.mailv.json'))
  ? readFileSync(join(work, 'big.mailv.json'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
      .find((event) => event.event === 'load')
  : undefined;
out.push(`## ${big} messages, C=20, connections reused`);
out.push('');
out.push('| client | wall time | msg/s | peak RSS |');
out.push('| --- | --- | --- | --- |');
out.push(`| mailv | ${mailvSeconds.toFixed(2)} s | ${(big / mailvSeconds).toFixed(0)} | ${(mailvKib / 1024).toFixed(1)} MiB |`);
out.push(`| smtp-source | ${sourceSeconds.toFixed(2)} s | ${(big / sourceSeconds).toFixed(0)} | ${(sourceKib / 1024).toFixed(1)} MiB |`);
if (summary) out.push('', `mailv's own summary of that run: ${summary.accepted} accepted, ${summary.failed} failed, ${summary.connections} connections.`);
process.stdout.write(`${out.join('\n')}\n`);
