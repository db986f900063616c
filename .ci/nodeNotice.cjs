// Runs before `npm ci`/`npm install` under whatever Node.js npm brought. marketbench's own commands
// (`npm start`, `npm test`) run on the Node.js 24 that .ci/node24.sh installs, so an older Node
// here is fine: say so once, instead of npm's warning per package whose engines it does not meet.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 15)) {
  process.stderr.write(
    `marketbench: this npm runs Node.js ${process.version}; that is fine for installing. ` +
      '`npm start` and `npm test` run the bundled Node.js 24 (.ci/node24.sh installs it under .node24/ on first use).\n',
  );
}
