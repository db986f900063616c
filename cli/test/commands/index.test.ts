// The command table that lists commands without loading them must say what the real modules
// register: same name, same description, same argument term in `marketbench --help`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command, Help } from 'commander';
import { COMMANDS } from '../../src/commands/index.ts';
import { buildProgram, invokedCommand } from '../../src/main.ts';

test("every entry's summary and argument term equal the real module's command", async () => {
  const help = new Help();
  for (const entry of COMMANDS) {
    const program = new Command('marketbench');
    (await entry.load()).register(program);
    assert.deepEqual(
      program.commands.map((c) => c.name()),
      [entry.name],
      `${entry.name}: the module registers exactly this command`,
    );
    const real = program.commands[0];
    assert.equal(entry.summary, real.description(), `${entry.name}: summary`);
    assert.equal(
      [entry.name, entry.args].filter(Boolean).join(' '),
      help.subcommandTerm(real),
      `${entry.name}: args`,
    );
  }
});

test('top-level help lists the same text with placeholders as with every module loaded', async () => {
  const lazy = await buildProgram(['node', 'marketbench', '--help']);
  const full = await buildProgram(['node', 'marketbench', '--help'], true);
  assert.equal(lazy.helpInformation(), full.helpInformation());
  assert.match(lazy.helpInformation(), /query \[options\] <sql>/);
});

test('only the invoked command (or the one `help` names) gets its real module', async () => {
  assert.equal(invokedCommand(['node', 'marketbench', '--verbose', 'query', 'SELECT 1']), 'query');
  assert.equal(invokedCommand(['node', 'marketbench', 'help', 'slo']), 'slo');
  assert.equal(invokedCommand(['node', 'marketbench', '--help']), undefined);
  const program = await buildProgram(['node', 'marketbench', 'slo', '--help']);
  const slo = program.commands.find((c) => c.name() === 'slo');
  const query = program.commands.find((c) => c.name() === 'query');
  assert.ok(slo && slo.commands.length > 0, 'slo is the real module, with its subcommands');
  assert.equal(query?.registeredArguments.length, 0, 'query is a placeholder');
});
