// What every drill of the checkout page shares: the traffic it replays, the SLO it scores and the
// time compression at full length. The drills that run traffic read these (the CLI's runDrill and
// the Prometheus drill); replayDrill scores whatever the store holds.

/** The scenario whose faults the drill injects. */
export const DRILL_SCENARIO = 'psp-incident';
/** The SLO the drill scores. */
export const DRILL_SLO = 'reference-service-checkout-success';
/**
 * Time scale at scale 1: psp-incident's first fault comes 40 s in, so the 1h page window must
 * shrink to 30 s (× 120) to hold only pre-fault traffic when the fault starts. A smaller `scale`
 * divides it further.
 */
export const DRILL_TIME_SCALE = 120;
