// Unit tests of static/js/state.js and wire.js with rich presence (issue
// 13): away, do not disturb, custom statuses and devices from frames and
// snapshots, and `invisible`, which only the viewer can be.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { PresenceState } from '../../static/js/state.js';
import { readFrame, readListedUser } from '../../static/js/wire.js';

const NOW = 1_763_683_200_000;
const record = (status, more = {}) => ({ status, lastSeenAt: null, custom: null, devices: [], ...more });
const presence = (username, status, more = {}) => ({
  type: 'presence', username, is_logged_in: status !== 'offline' && status !== 'invisible', status, ...more,
});
const names = (state) => state.listing().map((entry) => `${entry.username}:${entry.status}`);

// alice's page: alice and bob online, carol offline.
function page() {
  return new PresenceState([
    { username: 'alice', ...record('online') },
    { username: 'bob', ...record('online') },
    { username: 'carol', ...record('offline') },
  ], 'alice');
}

test('a snapshot carries each user’s status, custom status and devices', () => {
  const state = page();
  const changes = state.applyFrame({
    type: 'snapshot', online: ['alice', 'bob', 'dave'],
    users: {
      bob: { status: 'dnd', custom: { text: '🎧 focus', until: NOW + 60_000 }, devices: ['mobile'] },
      dave: { status: 'away', devices: ['desktop', 'mobile'] },
    },
  }, NOW);
  assert.deepEqual(state.person('bob'), record('dnd', { custom: { text: '🎧 focus', until: NOW + 60_000 }, devices: ['mobile'] }));
  assert.equal(state.person('dave'), undefined, 'not listed: not kept');
  assert.deepEqual(state.person('alice'), record('online'), 'no entry in users: plain online');
  assert.deepEqual(changes.map((c) => `${c.username}:${c.news}`), ['bob:dnd']);
});

test('an entry of the snapshot that is not present still counts as online', () => {
  const event = readFrame({ type: 'snapshot', online: ['bob'], users: { bob: { status: 'offline' }, ghost: { status: 'dnd' } } });
  assert.deepEqual([...event.online], [['bob', { status: 'online', custom: null, devices: [] }]]);
});

test('a change of status alone is news and moves the line to its part', () => {
  const state = page();
  const changes = state.applyFrame(presence('bob', 'away', { devices: ['desktop'] }), NOW);
  assert.deepEqual(changes, [{ username: 'bob', ...record('away', { devices: ['desktop'] }), news: 'away' }]);
  assert.deepEqual(names(state), ['alice:online', 'bob:away', 'carol:offline']);
});

test('a new custom status or device is redrawn without news; the same frame again is nothing', () => {
  const state = page();
  const frame = presence('bob', 'online', { custom: { text: 'lunch' }, devices: ['desktop', 'mobile'] });
  const changes = state.applyFrame(frame, NOW);
  assert.equal(changes.length, 1);
  assert.equal(changes[0].news, null);
  assert.deepEqual(changes[0].custom, { text: 'lunch', until: null });
  assert.deepEqual(state.applyFrame(frame, NOW), []);
  // The custom status expires: the server says so with a frame without it.
  const expired = state.applyFrame(presence('bob', 'online', { devices: ['desktop', 'mobile'] }), NOW);
  assert.deepEqual(expired.map((c) => [c.custom, c.news]), [[null, null]]);
});

test('an offline frame drops the custom status and devices', () => {
  const state = page();
  state.applyFrame(presence('bob', 'dnd', { custom: { text: 'x' }, devices: ['mobile'] }), NOW);
  state.applyFrame({ type: 'presence', username: 'bob', is_logged_in: false, status: 'offline', last_seen_at: NOW }, NOW);
  assert.deepEqual(state.person('bob'), record('offline', { lastSeenAt: NOW }));
});

test('the viewer sees themselves invisible; nobody else can be', () => {
  const state = page();
  state.applyFrame({ type: 'snapshot', online: ['bob'] }, NOW); // alice is invisible: not in it
  assert.equal(state.person('alice').status, 'offline');
  const mine = state.applyFrame(presence('alice', 'invisible', { devices: ['desktop'] }), NOW);
  assert.deepEqual(mine.map((c) => `${c.username}:${c.status}:${c.news}`), ['alice:invisible:invisible']);
  state.applyFrame(presence('bob', 'invisible'), NOW);
  assert.equal(state.person('bob').status, 'offline', 'a stray invisible about another is offline');
  // A snapshot on a new socket (still invisible) leaves alice as she is.
  assert.deepEqual(state.applyFrame({ type: 'snapshot', online: [] }, NOW), []);
  assert.equal(state.person('alice').status, 'invisible');
});

test('a seed-format frame still reads as online or offline', () => {
  assert.deepEqual(readFrame({ type: 'presence', username: 'x', is_logged_in: true }),
    { kind: 'status', username: 'x', ...record('online') });
  assert.equal(readFrame({ type: 'presence', username: 'x', is_logged_in: true, status: 'weird' }).status, 'online');
});

test('error frames are read as errors and change no one', () => {
  assert.deepEqual(readFrame({ type: 'error', reason: 'unknown status' }), { kind: 'error', reason: 'unknown status' });
  assert.deepEqual(readFrame({ type: 'error' }), { kind: 'error', reason: 'refused' });
  const state = page();
  assert.deepEqual(state.applyFrame({ type: 'error', reason: 'x', username: 'bob' }, NOW), []);
});

test('a directory user may carry the rich fields, and the seed ones still work', () => {
  assert.deepEqual(readListedUser({ username: 'a', online: true, status: 'dnd', devices: ['mobile'], custom: { text: 'hi' } }),
    { username: 'a', ...record('dnd', { devices: ['mobile'], custom: { text: 'hi', until: null } }) });
  assert.deepEqual(readListedUser({ username: 'b', online: false, last_seen_at: NOW }),
    { username: 'b', ...record('offline', { lastSeenAt: NOW }) });
});

test('while in sync a directory page keeps the socket’s rich record', () => {
  const state = page();
  state.applyFrame({ type: 'snapshot', online: ['alice', 'bob'], users: { bob: { status: 'away', devices: ['mobile'] } } }, NOW);
  state.addUsers([{ username: 'bob', online: true, status: 'online' }]);
  assert.deepEqual(state.person('bob'), record('away', { devices: ['mobile'] }));
});
