#!/usr/bin/env node
// Turns what bench/run.sh measured into Markdown:
//
//   node bench/report.mjs WORKDIR [--out FILE]
//
// WORKDIR holds meta.tsv (name<TAB>value), and for each measurement GROUP.N.json
// (hyperfine --export-json of round N; the runs of all rounds are pooled),
// GROUP.commands.tsv (name<TAB>command line) and
// GROUP.rss.tsv (name<TAB>wall seconds<TAB>peak RSS in KiB, from /usr/bin/time),
// and for the attachment attach.time ("%e %M") and sink.out (bench/sink.mjs).
// Prints the Markdown and, with --out, writes it to FILE too.
import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const out = outAt === -1 ? null : args[outAt + 1];
const work = args.find((a, i) => !a.startsWith('--') && i !== outAt + 1);
if (!work || (outAt !== -1 && !out)) {
  process.stderr.write('usage: node bench/report.mjs WORKDIR [--out FILE]\n');
  process.exit(64);
}

const read = (name) => readFileSync(join(work, name), 'utf8');
const tsv = (name) =>
  existsSync(join(work, name))
    ? read(name)
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t'))
    : [];
const meta = Object.fromEntries(tsv('meta.tsv').map(([k, ...v]) => [k, v.join('\t')]));

const MiB = 1024 * 1024;
const fmt = (x, digits) => x.toFixed(digits);
const mib = (kib) => `${fmt(Number(kib) / 1024, 1)} MiB`;
// Shows temporary paths as $TMP/..., so that the commands read the same from run to run.
const plain = (cmd) => cmd.split(meta.workdir).join('$TMP');

function timeUnit(results) {
  return Math.max(...results.map((r) => r.mean)) < 1 ? { name: 'ms', scale: 1000, digits: 1 } : { name: 's', scale: 1, digits: 2 };
}

function ratio(r, ref) {
  if (r === ref) return '1.00';
  const q = r.mean / ref.mean;
  const sigma = q * Math.hypot(r.stddev / r.mean, ref.stddev / ref.mean);
  return `${fmt(q, 2)} ± ${fmt(sigma, 2)}`;
}

// Pools the runs of every round of GROUP, in the order of GROUP.commands.tsv.
function pooled(group) {
  const files = readdirSync(work).filter((f) => new RegExp(`^${group}\\.\\d+\\.json$`).test(f));
  if (!files.length) throw new Error(`${group}: no hyperfine results in ${work}`);
  const times = new Map(tsv(`${group}.commands.tsv`).map(([name]) => [name, []]));
  for (const f of files) {
    for (const r of JSON.parse(read(f)).results) {
      if (r.exit_codes.some((c) => c !== 0)) throw new Error(`${group}: ${r.command} exited non-zero`);
      if (!times.has(r.command)) times.set(r.command, []);
      times.get(r.command).push(...r.times);
    }
  }
  return [...times].map(([command, t]) => {
    const n = t.length;
    const mean = t.reduce((a, b) => a + b, 0) / n;
    const stddev = n > 1 ? Math.sqrt(t.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
    const sorted = [...t].sort((a, b) => a - b);
    const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    return { command, mean, stddev, median, min: sorted[0], runs: n, rounds: files.length };
  });
}

function table(group, refName) {
  const results = pooled(group);
  const rss = Object.fromEntries(tsv(`${group}.rss.tsv`).map(([name, , kib]) => [name, kib]));
  const ref = results.find((r) => r.command === refName);
  if (!ref) throw new Error(`${group}: no result named ${refName}`);
  const u = timeUnit(results);
  const t = (x) => fmt(x * u.scale, u.digits);
  const lines = [
    `| Command | Mean ± σ (${u.name}) | Median (${u.name}) | Min (${u.name}) | Runs | × \`${refName}\` | Peak RSS |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    lines.push(
      `| \`${r.command}\` | ${t(r.mean)} ± ${t(r.stddev)} | ${t(r.median)} | ${t(r.min)} | ${r.runs} | ${ratio(r, ref)} | ${rss[r.command] ? mib(rss[r.command]) : '–'} |`,
    );
  }
  return lines.join('\n');
}

/**
 * Round trips from the time each client loses behind the delaying proxy: the added time over the
 * round-trip time, to the nearest half (the greeting is half a trip: the server speaks first),
 * plus 1.5 for the TCP handshake the proxy cannot delay and for counting the greeting whole.
 */
function roundTrips() {
  const rtt = Number(tsv('rtt.meta')[0][1]) / 1000;
  const results = new Map(pooled('rtt').map((r) => [r.command, r]));
  const lines = [`| Client | Direct (ms) | Through the proxy (ms) | Added ÷ RTT | Round trips |`, '| --- | ---: | ---: | ---: | ---: |'];
  for (const [name, direct] of results) {
    if (name.endsWith(' via proxy')) continue;
    const proxied = results.get(`${name} via proxy`);
    const added = (proxied.mean - direct.mean) / rtt;
    const trips = Math.round(added * 2) / 2 + 1.5;
    lines.push(`| \`${name}\` | ${fmt(direct.mean * 1000, 1)} | ${fmt(proxied.mean * 1000, 1)} | ${fmt(added, 2)} | ${fmt(trips, 0)} |`);
  }
  return lines.join('\n');
}

function commands(group) {
  return tsv(`${group}.commands.tsv`)
    .map(([name, cmd]) => `- \`${name}\`: \`${plain(cmd)}\``)
    .join('\n');
}

function attachment() {
  const [wall, kib] = read('attach.time').trim().split('\n').pop().split(/\s+/).map(Number);
  const sinkBytes = Number(meta.sink_bytes);
  const fileBytes = Number(meta.attach_bytes);
  return [
    '| Measure | Value |',
    '| --- | ---: |',
    `| Peak RSS | ${mib(kib)} |`,
    `| Wall time | ${fmt(wall, 2)} s |`,
    `| Throughput, attachment | ${fmt(fileBytes / MiB / wall, 1)} MiB/s |`,
    `| Throughput, on the wire | ${fmt(sinkBytes / MiB / wall, 1)} MiB/s |`,
    `| Message bytes counted by the sink | ${sinkBytes.toLocaleString('en-US')} (${fmt(sinkBytes / (1024 * MiB), 3)} GiB) |`,
  ].join('\n');
}

const md = `# mailv benchmarks

${meta.date}, ${meta.mode} run (${meta.runs}); ${meta.machine}; the harness took ${meta.elapsed} s.
Times are wall-clock times from hyperfine, with its shell-spawn correction applied to
every command alike. Start-up and the small send run in rounds, the order of the
commands reversed every other round, and the runs of all rounds are pooled, so that
drift in this machine's speed weighs on every command alike. Ratios (σ propagated)
come from the same run. Peak RSS comes from one \`/usr/bin/time -f '%e %M'\` run
of each command.

| Program | Version |
| --- | --- |
| mailv | ${meta.mailv} |
| node | ${meta.node} |
| swaks | ${meta.swaks} |
| msmtp | ${meta.msmtp} |
| curl | ${meta.curl} |
| Postfix | ${meta.postfix} |
| hyperfine | ${meta.hyperfine} |
| dig | ${meta.dig} |

## Start-up

${table('startup', 'node -e 0')}

${commands('startup')}

## One small send to Postfix on 127.0.0.1:25

One connection, one recipient, a one-line body; \`node -e 0\` is the floor.

${table('small', 'node -e 0')}

${commands('small')}

## The same through submission: STARTTLS, a verified certificate, AUTH PLAIN

Postfix's submission port 127.0.0.1:587 with Dovecot SASL; every client checks the certificate
against the test CA and logs in with PLAIN.

${table('submission', 'node -e 0')}

${commands('submission')}

## An MX lookup against dnsmasq on 127.0.0.1:5354

\`mailv --mx\` asks for the MX records of \`deadfirst.test\` (and the A and AAAA of its two hosts when the
additional section lacks them), then prints the plan; \`dig\` asks the one MX question.

${table('mx', 'node -e 0')}

${commands('mx')}

The two outputs, side by side:

\`\`\`
${read('mx.mailv.txt').trimEnd()}
\`\`\`

\`\`\`
${read('mx.dig.txt').trimEnd()}
\`\`\`

## Round trips through a ${tsv('rtt.meta')[0][1]} ms link

Each client sends the same small message to Postfix directly and through \`bench/delay-proxy.mjs\`, which
delays each direction by half a round trip. The round trips are the added time over the RTT, to the
nearest half, plus the TCP handshake the proxy cannot delay, with the greeting counted as a whole
trip (connect and greeting included, as the usual counts are made).

${roundTrips()}

${commands('rtt')}

## A 50 MiB message to Postfix on 127.0.0.1:25

The same ${(Number(meta.big_bytes) / MiB).toFixed(1)} MiB message file (LF line ends) for every client; each sends it with CRLF line ends.

${table('big', 'curl')}

${commands('big')}

## A 1 GiB attachment to bench/sink.mjs

mailv base64-encodes a ${(Number(meta.attach_bytes) / (1024 * MiB)).toFixed(0)} GiB file as it sends; the sink counts the bytes and keeps none. One run.

${attachment()}

${commands('attach')}
`;

if (out) writeFileSync(out, md);
process.stdout.write(md);
