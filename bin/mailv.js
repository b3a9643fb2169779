#!/usr/bin/env node
// Launcher: all logic lives in the compiled CLI.
import { main } from '../dist/cli/run.js';

process.exitCode = await main();
