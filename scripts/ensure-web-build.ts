// Runs before `npm start`: builds the web client once when web/dist is missing, so the two
// README commands (npm install, npm start) give the full UI with no other step.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
if (!fs.existsSync(path.join(root, 'web/dist/index.html'))) {
  process.stdout.write('building the web client (first start only)…\n');
  const vite = path.join(root, 'node_modules/.bin/vite');
  const result = spawnSync(vite, ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    process.stderr.write('web build failed; the server will serve the placeholder page\n');
  }
}
