// Unit tests of static/js/announce.js with a stand-in live region and a
// hand-driven timer: what a screen reader hears after a burst of changes.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Announcer, GATHER_MS, sentence, summary } from '../../static/js/announce.js';

// An Announcer whose timer fires only when the test says so.
function announcer() {
  const region = { textContent: '' };
  const timers = [];
  const it = new Announcer(region, (fn, ms) => timers.push({ fn, ms }));
  return { it, region, timers, fire: () => timers.shift().fn() };
}

const news = (username, what) => ({ username, status: 'offline', lastSeenAt: null, news: what });

test('each kind of news has its sentence, and redraws without news have none', () => {
  assert.equal(sentence('bob', 'online'), 'bob is online');
  assert.equal(sentence('bob', 'offline'), 'bob went offline');
  assert.equal(sentence('bob', 'joined'), 'bob joined');
  assert.equal(sentence('bob', 'away'), 'bob is away');
  assert.equal(sentence('bob', 'dnd'), 'bob is in do not disturb');
  assert.equal(sentence('bob', null), null);
});

test('a few changes are spelled out, more are counted', () => {
  assert.equal(summary(['a is online'], 1), 'a is online.');
  assert.equal(summary(['a is online', 'b joined', 'c went offline'], 3), 'a is online. b joined. c went offline.');
  assert.equal(summary(['a is online', 'b joined', 'c went offline'], 250), '250 people changed status.');
});

test('changes within a second are announced together, once', () => {
  const { it, region, timers, fire } = announcer();
  it.tell([news('bob', 'online'), news('amy', null)]);
  it.tell([news('carol', 'joined')]);
  assert.equal(timers.length, 1, 'one timer for the batch');
  assert.equal(timers[0].ms, GATHER_MS);
  assert.equal(region.textContent, '', 'nothing before the second is over');
  fire();
  assert.equal(region.textContent, 'bob is online. carol joined.');

  it.tell(Array.from({ length: 400 }, (_, i) => news(`u${i}`, 'offline')));
  fire();
  assert.equal(region.textContent, '400 people changed status.');
  assert.equal(timers.length, 0);
});

test('redraws without news start no timer', () => {
  const { it, timers } = announcer();
  it.tell([news('amy', null)]);
  assert.equal(timers.length, 0);
});

test('without a live region nothing is gathered', () => {
  const timers = [];
  new Announcer(null, (fn) => timers.push(fn)).tell([news('bob', 'online')]);
  assert.equal(timers.length, 0);
});
