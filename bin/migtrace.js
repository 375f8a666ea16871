#!/usr/bin/env node
// The `migtrace` command. The CLI is bundled into dist/cli.js by `npm run build` (run on install).
'use strict';
const path = require('path');
const fs = require('fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write(`migtrace: ${bundle} is missing; run \`npm run build\` first\n`);
  process.exit(2);
}
require(bundle);
