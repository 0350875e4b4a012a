// Unit tests of static/js/socket.js's reconnection timing: `node --test tests/js/`.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { GOING_AWAY_JITTER_MS, goingAwayDelay } from '../../static/js/socket.js';
import { RETRY_BASE_MS } from '../../static/js/state.js';

test('after a server goes away the page reconnects within a small jitter', () => {
  assert.equal(goingAwayDelay(() => 0), 0);
  const longest = goingAwayDelay(() => 0.999999);
  assert.ok(longest < GOING_AWAY_JITTER_MS);
  assert.ok(GOING_AWAY_JITTER_MS <= 250);
});

test('the jitter spreads the pages of one node', () => {
  assert.notEqual(goingAwayDelay(() => 0.1), goingAwayDelay(() => 0.9));
  assert.ok(RETRY_BASE_MS > 0);
});
