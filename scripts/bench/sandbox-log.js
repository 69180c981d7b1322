'use strict';
/** What the sandbox's request log tells about a run. */

/**
 * The most requests the sandbox was answering at any one moment: how many the node really had in
 * flight, whatever it was configured to do. At equal timestamps an end counts before a start, so
 * that back-to-back requests at concurrency 1 do not read as two at once.
 */
function peakInFlight(requests) {
	const events = [];
	for (const r of requests) {
		events.push([r.startedAt, 1]);
		events.push([r.endedAt ?? r.startedAt, -1]);
	}
	events.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
	let current = 0;
	let peak = 0;
	for (const [, delta] of events) {
		current += delta;
		peak = Math.max(peak, current);
	}
	return peak;
}

module.exports = { peakInFlight };
