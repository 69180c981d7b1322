'use strict';
/** Real n8n for `npm run dev` and the e2e and browser tests: install, start, drive, stop. */
module.exports = {
	...require('./install'),
	...require('./n8n'),
	...require('./processes'),
	...require('./examples'),
	...require('./stack'),
	...require('./services'),
	...require('./apt'),
	...require('./browser'),
};
