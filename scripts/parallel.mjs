// Runs npm test's static checks side by side (lint, format, the two type checks use one core each, and CI
// has two): each command's output is printed whole when it ends, and the run fails if any of them fails.
import { spawn } from 'node:child_process';

const commands = process.argv.slice(2);
const runs = commands.map(
  (command) =>
    new Promise((resolve) => {
      const started = Date.now();
      const child = spawn(command, { shell: true, env: process.env });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      child.on('close', (code) => {
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        process.stdout.write(`\n> ${command} (${code === 0 ? 'ok' : `failed, exit ${code}`}, ${seconds} s)\n${output}`);
        resolve(code === 0);
      });
    }),
);
const results = await Promise.all(runs);
process.exit(results.every(Boolean) ? 0 : 1);
