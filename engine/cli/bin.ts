// Entry point of the bundled CLI (dist/cli.js).
import { main } from './main';
import { internalErrorText } from './errors';

// `migtrace ... | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`${internalErrorText(e)}\n`);
    process.exitCode = 1;
  },
);
