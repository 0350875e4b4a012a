// Unit tests of static/js/watching.js: what the page tells its socket to
// watch, `node --test tests/js/`.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { MAX_WATCHED, WatchList } from '../../static/js/watching.js';

// A socket stand-in that records frames and says whether they went.
function socket(open = true) {
  const sent = [];
  return { sent, send: (frame) => { if (open) { sent.push(frame); } return open; } };
}

test('the names on screen are sent as one watch frame, in list order', () => {
  const list = new WatchList();
  const ws = socket();
  assert.equal(list.watch(['zed', 'amy'], ws.send), true);
  assert.deepEqual(ws.sent, [{ type: 'watch', usernames: ['zed', 'amy'] }]);
});

test('the same set again sends nothing, whatever its order', () => {
  const list = new WatchList();
  const ws = socket();
  list.watch(['zed', 'amy'], ws.send);
  assert.equal(list.watch(['amy', 'zed', 'amy'], ws.send), false);
  assert.equal(ws.sent.length, 1);
  list.watch(['amy'], ws.send);
  assert.deepEqual(ws.sent[1], { type: 'watch', usernames: ['amy'] }, 'a smaller set replaces it');
  list.watch([], ws.send);
  assert.deepEqual(ws.sent[2], { type: 'watch', usernames: [] }, 'an empty list watches nobody');
});

test('at most the first MAX_WATCHED names are watched', () => {
  const list = new WatchList();
  const ws = socket();
  const names = Array.from({ length: MAX_WATCHED + 20 }, (_, i) => `u${i}`);
  list.watch(names, ws.send);
  assert.equal(ws.sent[0].usernames.length, MAX_WATCHED);
  assert.equal(ws.sent[0].usernames[0], 'u0');
});

test('a frame that did not go is sent again, and a new socket is told again', () => {
  const list = new WatchList();
  const closed = socket(false);
  assert.equal(list.watch(['amy'], closed.send), false);
  const ws = socket();
  assert.equal(list.watch(['amy'], ws.send), true, 'not recorded as watched while it did not go');
  list.reset();
  assert.equal(list.watch(['amy'], ws.send), true, 'a new socket watches nothing yet');
  assert.equal(ws.sent.length, 2);
});
