'use strict';
// Starting omni-emulator processes for the JS suites that run servers of their own (as
// tests/support/omni_process.py does for the Python ones): `omni-emulator serve` over a data
// directory (embedded PostgreSQL) or another server's database, ready when its standard output
// says so and /_emulator/health answers 200; stopped with SIGTERM (SIGKILL after 30 s).
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');

const BUILD = process.env.OMNI_BUILD_DIR || path.resolve(__dirname, '..', '..', '..', 'build');

async function healthy(base) {
  try {
    const r = await fetch(`${base}/_emulator/health`, { signal: AbortSignal.timeout(2000) });
    return r.status === 200;
  } catch {
    return false;
  }
}

// Starts a server on `port`; options: dataDir | databaseUrl, args (extra options), logName.
async function startServer(port, { dataDir, databaseUrl, args = [], logName } = {}) {
  const cmd = [path.join(BUILD, 'omni-emulator'), 'serve', '--port', String(port)];
  if (databaseUrl) cmd.push('--database-url', databaseUrl);
  else if (dataDir) cmd.push('--data-dir', dataDir);
  const log = fs.openSync(path.join(BUILD, logName || `js-server-${port}.log`), 'a');
  const proc = spawn(cmd[0], [...cmd.slice(1), ...args], { stdio: ['ignore', 'pipe', log] });
  const base = `http://localhost:${port}`;
  let dbUrl = null;
  const ready = new Promise((resolve) => {
    const lines = readline.createInterface({ input: proc.stdout });
    lines.on('line', (line) => {
      const m = /embedded PostgreSQL at (\S+)/.exec(line);
      if (m) dbUrl = m[1];
      if (line.includes('omni-emulator ready')) resolve(true);
    });
    proc.on('exit', () => resolve(false));
  });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  let startTimer;
  const up = await Promise.race([ready,
    new Promise((r) => { startTimer = setTimeout(() => r(false), 90000); })]);
  clearTimeout(startTimer);  // a pending timer would keep the test process alive for 90 s
  const deadline = Date.now() + 20000;
  while (up && Date.now() < deadline) {
    if (await healthy(base)) {
      return {
        port, base, proc, get dbUrl() { return dbUrl; },
        async stop() {
          if (proc.exitCode !== null || proc.signalCode !== null) return exited;
          proc.kill('SIGTERM');
          const timer = setTimeout(() => proc.kill('SIGKILL'), 30000);
          const how = await exited;
          clearTimeout(timer);
          fs.closeSync(log);
          return how;
        },
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill('SIGKILL');
  await exited;
  fs.closeSync(log);
  throw new Error(`server on ${port} did not become healthy (log ${BUILD}/${logName})`);
}

module.exports = { BUILD, startServer };
