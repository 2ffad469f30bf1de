#!/usr/bin/env node
import { exitQuietlyOnClosedPipe } from './output/pipe.js';
import { runCli } from './program.js';

exitQuietlyOnClosedPipe();
await runCli(process.argv);
