// Unit tests of static/js/status.js: the words of statuses, devices and
// expiries, and the `until` of each expiry choice.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import {
  AWAY, DND, INVISIBLE, OFFLINE, ONLINE, customShows, devicesText, expiryUntil, isPresent,
  manualOf, readCustom, readDevices, readManual, readStatus, statusText, untilText,
} from '../../static/js/status.js';

const MINUTE = 60_000;
// 2026-12-03 09:30 UTC, a Thursday.
const NOW = Date.UTC(2026, 11, 3, 9, 30);

test('each status has its words, the same as the server renders', () => {
  assert.deepEqual([ONLINE, AWAY, DND, OFFLINE, INVISIBLE].map(statusText),
    ['Online', 'Away', 'Do not disturb', 'Offline', 'Invisible']);
  assert.equal(statusText('bogus'), 'Offline');
});

test('online, away and do not disturb count as online; offline and invisible do not', () => {
  assert.deepEqual([ONLINE, AWAY, DND, OFFLINE, INVISIBLE].map(isPresent), [true, true, true, false, false]);
});

test('wire statuses are read strictly', () => {
  assert.equal(readStatus('dnd'), DND);
  assert.equal(readStatus('invisible'), INVISIBLE);
  for (const bad of [undefined, null, 'ONLINE', 'busy', 3]) { assert.equal(readStatus(bad), null); }
});

test('devices are read in a fixed order, each once, unknown kinds dropped', () => {
  assert.deepEqual(readDevices(['mobile', 'desktop', 'mobile', 'toaster']), ['desktop', 'mobile']);
  assert.deepEqual(readDevices('desktop'), []);
  assert.equal(devicesText(['desktop', 'mobile']), 'On desktop and mobile');
  assert.equal(devicesText(['mobile']), 'On mobile');
  assert.equal(devicesText([]), '');
});

test('a custom status needs text; its until is a time or nothing', () => {
  assert.deepEqual(readCustom({ text: '🍜 lunch', until: NOW }), { text: '🍜 lunch', until: NOW });
  assert.deepEqual(readCustom({ text: 'focus' }), { text: 'focus', until: null });
  for (const bad of [null, undefined, 'lunch', {}, { text: '' }, { text: 5 }]) {
    assert.equal(readCustom(bad), null, JSON.stringify(bad));
  }
  assert.equal(customShows({ text: 'x', until: NOW }, NOW - 1), true);
  assert.equal(customShows({ text: 'x', until: NOW }, NOW), false, 'gone at its expiry');
  assert.equal(customShows({ text: 'x', until: null }, NOW + 1e12), true);
});

test('an expiry reads as a time today, tomorrow, or a date', () => {
  const utc = (until) => untilText(until, NOW, 'UTC');
  assert.equal(utc(NOW + 30 * MINUTE), 'Until 10:00');
  assert.equal(utc(Date.UTC(2026, 11, 3, 23, 59)), 'Until 23:59');
  assert.equal(utc(Date.UTC(2026, 11, 4, 0, 0)), 'Until tomorrow 00:00');
  assert.equal(utc(Date.UTC(2026, 11, 9, 14, 5)), 'Until 9 Dec 14:05');
  assert.equal(untilText(Date.UTC(2026, 11, 3, 23, 30), NOW, 'Europe/Paris'), 'Until tomorrow 00:30',
    'the viewer’s own calendar day');
  assert.equal(utc(null), '');
});

test('each expiry choice gives its until', () => {
  assert.equal(expiryUntil('30m', NOW), NOW + 30 * MINUTE);
  assert.equal(expiryUntil('1h', NOW), NOW + 60 * MINUTE);
  assert.equal(expiryUntil('4h', NOW), NOW + 240 * MINUTE);
  assert.equal(expiryUntil('never', NOW), null);
  assert.equal(expiryUntil('tomorrow', NOW), undefined);
  const midnight = new Date(expiryUntil('today', NOW));
  assert.ok(midnight.getTime() > NOW && midnight.getTime() <= NOW + 24 * 60 * MINUTE);
  assert.deepEqual([midnight.getHours(), midnight.getMinutes(), midnight.getSeconds()], [0, 0, 0],
    'today ends at the coming local midnight');
});

test('every expiry the menu offers is one the module knows', () => {
  const template = readFileSync(new URL('../../templates/user_list.html', import.meta.url), 'utf8');
  const select = template.slice(template.indexOf('<select id="custom-expiry">'), template.indexOf('</select>'));
  const offered = [...select.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(offered, ['30m', '1h', '4h', 'today', 'never']);
  for (const id of offered) { assert.notEqual(expiryUntil(id, NOW), undefined, id); }
});

test('the viewer’s choice is read from their status, and from the page', () => {
  assert.deepEqual([ONLINE, AWAY, DND, INVISIBLE, OFFLINE].map(manualOf), ['auto', 'auto', DND, INVISIBLE, null]);
  assert.equal(readManual('invisible'), INVISIBLE);
  assert.equal(readManual('auto'), 'auto');
  assert.equal(readManual('dnd'), DND);
  assert.equal(readManual('away'), 'auto');
  assert.equal(readManual(undefined), 'auto');
});
