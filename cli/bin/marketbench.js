#!/usr/bin/env node
// Entry point of the `marketbench` command. Node.js runs the TypeScript sources directly
// (type stripping, on by default from Node 22.18 and 23.6), so check for it before loading them.
if (!process.features?.typescript) {
  process.stderr.write(
    `marketbench: Node.js ${process.version} cannot run TypeScript sources; use Node.js 24 ` +
      '(`source .ci/node24.sh` installs it under .node24/) [MB_ERR_NODE_TOO_OLD]\n',
  );
  process.exit(1);
}
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv);
