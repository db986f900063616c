// `k6/execution`: the VU and iteration the test says the script runs as.

const execution = {
  vu: { idInTest: 1, iterationInScenario: 0, iterationInInstance: 0 },
  scenario: { name: 'default', iterationInTest: 0, iterationInInstance: 0 },
  instance: { vusInitialized: 1, vusActive: 1 },
};

export default execution;
