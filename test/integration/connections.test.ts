// Kept-alive and idle connections on real loopback sockets: how long an idle one stays, and the connection cap.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTestDaemon, testConfig, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { makeMountDir } from '../helpers/media.js';

/** A raw socket that sends GET /health and collects what comes back. */
interface Conn {
  readonly socket: Socket;
  text: string;
  closed: boolean;
}

async function open(port: number): Promise<Conn> {
  const socket = connect(port, '127.0.0.1');
  const conn: Conn = { socket, text: '', closed: false };
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => (conn.text += chunk.toString('latin1')));
  socket.on('close', () => (conn.closed = true));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return conn;
}

const answers = (conn: Conn): number => conn.text.split('HTTP/1.1 200').length - 1;

async function getHealth(conn: Conn): Promise<void> {
  const before = answers(conn);
  conn.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  await waitFor(() => answers(conn) > before || conn.closed, 5000, 'an answer to GET /health');
  assert.equal(answers(conn), before + 1, `no answer: ${conn.closed ? 'closed' : 'open'}`);
}

describe('kept-alive connections with the default limits', () => {
  let d: TestDaemon;
  let port = 0;
  before(async () => {
    d = await startTestDaemon(testConfig(makeMountDir()));
    port = Number(new URL(d.localUrl).port);
  });
  after(async () => {
    await d.stop();
  });

  it('keeps an idle connection beyond a 4–6 s segment fetch interval and says how long in Keep-Alive', async () => {
    const conn = await open(port);
    await getHealth(conn);
    // A player's next fetch comes after its segment's length: 7 s here, past the old limit (5 s, closed at 6 s).
    await new Promise((r) => setTimeout(r, 7000));
    assert.equal(conn.closed, false, 'the idle connection was closed');
    await getHealth(conn);
    assert.match(conn.text, /keep-alive: timeout=75/i);
    conn.socket.destroy();
  });
});

describe('the connection cap', () => {
  const CAP = 4;
  let d: TestDaemon;
  let port = 0;
  before(async () => {
    d = await startTestDaemon(testConfig(makeMountDir()), undefined, { maxConnections: CAP });
    port = Number(new URL(d.localUrl).port);
  });
  after(async () => {
    await d.stop();
  });

  it('refuses a connection beyond the cap, and idle ones give way so that the next one is served', async () => {
    const idle = await Promise.all(Array.from({ length: CAP }, () => open(port)));
    for (const conn of idle) await getHealth(conn);
    // Over the cap: closed without an answer, and the idle kept-alive connections are closed to make room.
    const over = await open(port);
    over.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await waitFor(() => over.closed, 5000, 'the connection over the cap to be closed');
    assert.equal(answers(over), 0);
    await waitFor(() => idle.every((c) => c.closed), 5000, 'the idle connections to be closed');
    const retry = await open(port);
    await getHealth(retry);
    retry.socket.destroy();
  });
});
