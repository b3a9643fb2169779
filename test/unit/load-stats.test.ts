import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { worse } from '../../dist/load/tally.js';
import { nearestRank, perSecond, rateFigure, Samples } from '../../dist/load/stats.js';
import { drawProgress, ERASE_LINE } from '../../dist/render/load-progress.js';
import { wordsFor } from '../../dist/words/describe.js';

describe('load summary figures', () => {
  it('percentiles by nearest rank: each one a measured time', () => {
    const sorted = Array.from({ length: 100 }, (_, index) => index + 1);
    assert.equal(nearestRank(sorted, 50), 50);
    assert.equal(nearestRank(sorted, 90), 90);
    assert.equal(nearestRank(sorted, 99), 99);
    assert.equal(nearestRank([7], 99), 7);
    assert.equal(nearestRank([1, 2, 3], 50), 2);
    assert.equal(nearestRank([1, 2, 3, 4], 50), 2);
  });

  it('sorts its samples numerically, growing past its first size', () => {
    const samples = new Samples(2);
    for (const ms of [10, 9, 100, 1, 2.5, 30, 4, 8, 7, 6]) samples.add(ms);
    assert.deepEqual(samples.summary(), { samples: 10, p50: 7, p90: 30, p99: 100, max: 100 });
    assert.equal(new Samples().summary(), undefined);
  });

  it('messages per second over the elapsed time', () => {
    assert.equal(perSecond(200, 400), 500);
    assert.equal(perSecond(5, 0), 0);
  });

  it('a rate shown with its tenths under 10 a second, whole above, and none as 0; the live line as the summary', () => {
    assert.deepEqual([0, 0.04, 0.75, 9.94, 10, 1563.4].map(rateFigure), ['0', '0.0', '0.8', '9.9', '10', '1563']);
    const slow = { accepted: 3, refused: 1, deferred: 0, elapsedMs: 4000 };
    assert.equal(drawProgress(slow, wordsFor('en'), 80), `${ERASE_LINE}accepted 3, refused 1, deferred 0, 0.8/s, 4.0 s`);
    assert.equal(drawProgress(slow, wordsFor('fr'), 80), `${ERASE_LINE}acceptés 3, refusés 1, différés 0, 0,8/s, 4,0 s`);
    assert.equal(drawProgress({ ...slow, accepted: 0 }, wordsFor('en'), 80), `${ERASE_LINE}accepted 0, refused 1, deferred 0, 0/s, 4.0 s`);
  });

  it('the worst status: any failure over success, permanent over temporary, the first permanent kept', () => {
    assert.equal(worse(0, 75), 75);
    assert.equal(worse(75, 69), 69);
    assert.equal(worse(69, 75), 69);
    assert.equal(worse(69, 76), 69);
    assert.equal(worse(75, 0), 75);
  });
});

describe('load summary words', () => {
  it('one message a second is singular; in French, none is too', async () => {
    const { en } = await import('../../dist/words/en/index.js');
    const { fr } = await import('../../dist/words/fr/index.js');
    assert.deepEqual(
      ['0', '1', '2'].map((rate) => en.load.rate(rate)),
      ['0 messages accepted per second', '1 message accepted per second', '2 messages accepted per second'],
    );
    assert.deepEqual(
      ['0', '1', '2'].map((rate) => fr.load.rate(rate)),
      ['0 message accepté par seconde', '1 message accepté par seconde', '2 messages acceptés par seconde'],
    );
    assert.deepEqual(
      ['0.8', '1.5', '2.0'].map((rate) => fr.load.rate(rate)),
      ['0,8 message accepté par seconde', '1,5 message accepté par seconde', '2,0 messages acceptés par seconde'],
    );
  });
});
