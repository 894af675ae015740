#!/usr/bin/env node
'use strict';
// `agentops replay SESSION.jsonl` (the package's `bin`): the core's session replay.
const { replayMain } = require('../native.js');

const { code, stdout, stderr } = replayMain(process.argv.slice(2), Boolean(process.stdout.isTTY));
process.stdout.write(stdout);
process.stderr.write(stderr);
process.exitCode = code;
