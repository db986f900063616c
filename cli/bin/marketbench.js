#!/usr/bin/env node
// Entry point of the `marketbench` command. Node >= 22.18 runs the TypeScript sources directly.
import { main } from '../src/main.ts';

process.exitCode = await main(process.argv);
