// People search (?q=): ranked by how well the words match plus how well the whole name
// matches, so that the closest name comes first even when many other names match one of
// its words as well or better (ties go to the newest record: ids are time-ordered).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api } from './lib.mjs';

test('?q= ranks the closest whole name first, ahead of newer names that match a word better', async () => {
  const target = await api('POST', '/people', { key: 'editor', body: { full_name: 'Erik Meijerqz' } });
  assert.equal(target.status, 201, target.text);
  // Each decoy's second word shares more trigrams with "meyerqz" than "meijerqz" does
  // (word similarity 0.44 against 0.42), but the whole name much less (0.19 against 0.29).
  for (let i = 1; i <= 60; i++) {
    const res = await api('POST', '/people', { key: 'editor', body: { full_name: `Decoy Merqzab ${i}` } });
    assert.equal(res.status, 201, res.text);
  }
  const res = await api('GET', '/people?q=Meyerqz&limit=10');
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.items.length, 10);
  assert.equal(res.body.items[0].full_name, 'Erik Meijerqz', res.body.items.map((p) => p.full_name).join(', '));
  // The decoys follow, newest first among equals.
  assert.ok(res.body.items.slice(1).every((p) => p.full_name.startsWith('Decoy Merqzab')));
});
