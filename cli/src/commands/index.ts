// Every subcommand module registers itself on the program here; one line per module.
import type { Command } from 'commander';

export type Register = (program: Command) => void;

export const COMMANDS: Register[] = [];
