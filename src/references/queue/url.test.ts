import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQueueUrl, redisOptions } from './url.ts';

test('queue URLs: user, password, db and TLS are read; the password never shows', () => {
  const u = parseQueueUrl('rediss://cwrf:p%40ss@queue.example.org:6380/3');
  assert.deepEqual(
    { host: u.host, port: u.port, db: u.db, username: u.username, password: u.password, tls: u.tls },
    { host: 'queue.example.org', port: 6380, db: 3, username: 'cwrf', password: 'p@ss', tls: true },
  );
  assert.equal(u.display, 'rediss://cwrf:***@queue.example.org:6380/3');
  assert.deepEqual(redisOptions(u).tls, { servername: 'queue.example.org' });
  const plain = parseQueueUrl('redis://127.0.0.1:6379');
  assert.equal(plain.db, 0);
  assert.equal(redisOptions(plain).tls, undefined);
  assert.equal(parseQueueUrl('redis://:secret@h:1').display, 'redis://:***@h:1/0');
});

test('bad queue URLs name the problem', () => {
  assert.throws(() => parseQueueUrl('localhost:6379'), /not a redis:\/\/ or rediss:\/\/ URL/);
  assert.throws(() => parseQueueUrl('not a url'), /not a URL/);
  assert.throws(() => parseQueueUrl('redis://h'), /has no port/);
  assert.throws(() => parseQueueUrl('redis://h:1/x'), /database 'x'/);
  assert.throws(() => parseQueueUrl('redis://h:1/0?tls=1'), /query or fragment/);
  assert.throws(() => parseQueueUrl('redis://:hunter2@h/0'), (e: Error) => !e.message.includes('hunter2'));
});
