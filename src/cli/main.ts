#!/usr/bin/env node
import { exitQuietlyOnClosedPipe } from './output/index.js';
import { runCli } from './program.js';

exitQuietlyOnClosedPipe();
await runCli(process.argv);
