// @ts-check
'use strict';

/**
 * The sandbox's search engine: 3-5 results per question on real domains, with URLs, titles and
 * dates derived from the question's words by hashing, so the same question always finds the same
 * pages and different questions find different ones. Honours the domain filter, the date and
 * recency filters and Sonar's search_mode.
 *
 * @typedef {'web' | 'academic' | 'sec'} SearchMode
 * @typedef {{
 *   allow: string[], deny: string[], recency: string | null,
 *   after: number | null, before: number | null, updatedAfter: number | null, updatedBefore: number | null,
 *   mode: SearchMode,
 * }} SearchOptions  dates are day numbers (days since 1970-01-01, UTC)
 * @typedef {{ id: number, url: string, title: string, snippet: string, date?: string, last_updated: string, source: 'web' }} SearchResult
 * @typedef {{ slug: string, wiki: string, title: string, n: number, day: number }} Key
 * @typedef {{ domain: string, modes: SearchMode[], path: (k: Key) => string, title: (k: Key) => string }} Source
 */

const DAY_MS = 86_400_000;

/** The common case, shared by every request without filters: nothing downstream mutates it. */
/** @type {Readonly<SearchOptions>} */
const NO_FILTERS = Object.freeze({
	allow: [],
	deny: [],
	recency: null,
	after: null,
	before: null,
	updatedAfter: null,
	updatedBefore: null,
	mode: 'web',
});

const STOPWORDS = new Set(
	(
		'a an the and or but of to in on at for from by with about into over under is are was were be ' +
		'been being do does did can could should would will shall may might must has have had what who ' +
		'whom whose when where why how which that this these those it its i me my we our you your he she ' +
		'they them their please tell explain describe give list show find search summarize summarise ' +
		'compare vs versus there here some any all more most than then so as if not no yes just also ' +
		'briefly short answer question latest current today'
	).split(' '),
);

/** FNV-1a: a cheap stable hash, so variety across prompts needs no randomness. */
function hash(/** @type {string} */ s) {
	let h = 0x811c9dc5;
	for (let i = 0; i < s.length; i++) {
		h ^= s.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	return h >>> 0;
}

/** @param {string} s */
const cap = (s) => (s ? s[0].toUpperCase() + s.slice(1) : s);

/** @param {number} n */
const pad2 = (n) => (n < 10 ? `0${n}` : String(n));

/**
 * Day number to `YYYY-MM-DD` by civil-calendar arithmetic (H. Hinnant's days_from_civil inverse):
 * several times faster than going through Date, and this runs for every search result.
 * @param {number} day
 */
function isoDay(day) {
	const z = day + 719468;
	const era = Math.floor(z / 146097);
	const doe = z - era * 146097;
	const yoe = Math.floor(
		(doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
	);
	const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
	const mp = Math.floor((5 * doy + 2) / 153);
	const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
	const m = mp < 10 ? mp + 3 : mp - 9;
	return `${yoe + era * 400 + (m <= 2 ? 1 : 0)}-${pad2(m)}-${pad2(d)}`;
}

/** @param {number} day */
const ymd = (day) => isoDay(day).split('-');

const ASPECTS = [
	'',
	'history',
	'overview',
	'latest developments',
	'analysis',
	'explained',
	'facts',
];

/** @type {Source[]} */
const SOURCES = [
	{
		domain: 'en.wikipedia.org',
		modes: ['web'],
		path: (k) => `/wiki/${k.wiki}`,
		title: (k) => `${k.title} - Wikipedia`,
	},
	{
		domain: 'www.britannica.com',
		modes: ['web'],
		path: (k) => `/topic/${k.slug}`,
		title: (k) => `${k.title} | Britannica`,
	},
	{
		domain: 'www.nature.com',
		modes: ['web', 'academic'],
		path: (k) => `/articles/s41586-0${20 + (k.n % 6)}-0${1000 + (k.n % 9000)}-${k.n % 10}`,
		title: (k) => `${k.title}: evidence and open questions | Nature`,
	},
	{
		domain: 'www.reuters.com',
		modes: ['web'],
		path: (k) => `/world/${k.slug}-${isoDay(k.day)}/`,
		title: (k) => `${k.title}: what we know | Reuters`,
	},
	{
		domain: 'www.bbc.com',
		modes: ['web'],
		path: (k) => `/news/articles/c${(k.n % 0xfffffff).toString(36).padStart(6, '0')}7o`,
		title: (k) => `${k.title} explained - BBC News`,
	},
	{
		domain: 'www.theguardian.com',
		modes: ['web'],
		path: (k) => {
			const [y, m, d] = ymd(k.day);
			return `/science/${y}/${m}/${d}/${k.slug}`;
		},
		title: (k) => `${k.title} | The Guardian`,
	},
	{
		domain: 'www.nationalgeographic.com',
		modes: ['web'],
		path: (k) => `/science/article/${k.slug}`,
		title: (k) => `${k.title} | National Geographic`,
	},
	{
		domain: 'plato.stanford.edu',
		modes: ['web', 'academic'],
		path: (k) => `/entries/${k.slug}/`,
		title: (k) => `${k.title} (Stanford Encyclopedia of Philosophy)`,
	},
	{
		domain: 'www.sciencedirect.com',
		modes: ['web', 'academic'],
		path: (k) => `/topics/${k.slug}`,
		title: (k) => `${k.title} - an overview | ScienceDirect Topics`,
	},
	{
		domain: 'arxiv.org',
		modes: ['academic'],
		path: (k) =>
			`/abs/${ymd(k.day)[0].slice(2)}${ymd(k.day)[1]}.${String(k.n % 100000).padStart(5, '0')}`,
		title: (k) => `${k.title}: a survey`,
	},
	{
		domain: 'pmc.ncbi.nlm.nih.gov',
		modes: ['academic'],
		path: (k) => `/articles/PMC${1000000 + (k.n % 9000000)}/`,
		title: (k) => `${k.title}: a systematic review - PMC`,
	},
	{
		domain: 'www.sec.gov',
		modes: ['sec'],
		path: (k) =>
			`/Archives/edgar/data/${100000 + (k.n % 900000)}/${String(k.n).padStart(18, '0')}/${k.slug}-10k.htm`,
		title: (k) => `${k.title} - Form 10-K annual report`,
	},
];

const SNIPPETS = [
	(/** @type {Key} */ k) =>
		`${k.title}: background, key facts and recent developments, with references for further reading.`,
	(/** @type {Key} */ k) =>
		`An accessible overview of ${k.title.toLowerCase()}, covering how it works, why it matters and what experts say.`,
	(/** @type {Key} */ k) =>
		`Reporting and analysis on ${k.title.toLowerCase()}, including the latest figures and expert commentary.`,
];

/**
 * @param {string} host
 * @param {string} entry a domain filter entry without its `-`
 */
const hostMatches = (host, entry) =>
	host === entry || host.endsWith(`.${entry}`) || `www.${entry}` === host;

/**
 * Up to four words of the question worth searching for; none when it has only stopwords.
 * @param {string} question
 */
function searchableWords(question) {
	/** @type {string[]} */
	const words = [];
	for (const m of question.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
		const w = m[0];
		if (w.length < 2 || STOPWORDS.has(w) || words.includes(w)) continue;
		words.push(w);
		if (words.length === 4) break;
	}
	return words;
}

/** @param {string} question */
function keywords(question) {
	const words = searchableWords(question);
	return words.length ? words : ['general', 'knowledge'];
}

/**
 * @param {Key} base
 * @param {number} variant
 * @returns {Key}
 */
function variantKey(base, variant) {
	if (variant === 0) return base;
	const aspect = ASPECTS[variant % ASPECTS.length] || 'guide';
	const round = Math.floor(variant / ASPECTS.length);
	const label = round ? `${aspect} ${round + 1}` : aspect;
	return {
		slug: `${base.slug}-${label.replace(/ /g, '-')}`,
		wiki: `${base.wiki}#${cap(label).replace(/ /g, '_')}`,
		title: `${base.title}: ${label}`,
		n: base.n + variant * 7919,
		day: base.day - variant * 11,
	};
}

/**
 * Publication and update days inside whatever the filters ask for; recency is relative to today,
 * so only those dates move from one day to the next.
 * @param {number} h
 * @param {number} i
 * @param {SearchOptions} o
 */
function datesFor(h, i, o) {
	const today = Math.floor(Date.now() / DAY_MS);
	const windows = /** @type {Record<string, number>} */ ({
		hour: 0,
		day: 1,
		week: 6,
		month: 29,
		year: 364,
	});
	let day;
	if (o.recency) day = today - ((h + i * 3) % (windows[o.recency] + 1));
	else if (o.after !== null && o.before !== null)
		day = o.after + 1 + ((h + i) % Math.max(1, o.before - o.after - 1));
	else if (o.after !== null) day = o.after + 1 + ((h + i * 13) % 200);
	else if (o.before !== null) day = o.before - 1 - ((h + i * 13) % 400);
	else day = 19000 + ((h + i * 37) % 1000);
	day = Math.min(day, today);
	let updated = Math.min(day + (((h >>> 4) + i * 5) % 40), today);
	if (o.updatedAfter !== null && updated <= o.updatedAfter)
		updated = Math.min(o.updatedAfter + 1, today);
	if (o.updatedBefore !== null && updated >= o.updatedBefore) updated = o.updatedBefore - 1;
	if (day > updated) day = updated;
	return { day, updated };
}

/**
 * Which sources answer, in order. An allow list is cycled through (unknown domains get a generic
 * page), otherwise the catalogue for the search mode is rotated by the prompt's hash.
 * @param {number} h
 * @param {SearchOptions} o
 * @param {number} count
 * @returns {{ source: Source, variant: number }[]}
 */
function pickSources(h, o, count) {
	/** @type {{ source: Source, variant: number }[]} */
	const picked = [];
	if (o.allow.length) {
		for (let i = 0; i < count; i++) {
			const entry = o.allow[i % o.allow.length];
			const known = SOURCES.find((s) => hostMatches(s.domain, entry));
			const source = known ?? {
				domain: entry,
				modes: [o.mode],
				path: (/** @type {Key} */ k) => `/articles/${k.slug}`,
				title: (/** @type {Key} */ k) => `${k.title} | ${entry}`,
			};
			picked.push({ source, variant: Math.floor(i / o.allow.length) });
		}
		return picked;
	}
	const pool = SOURCES.filter(
		(s) => s.modes.includes(o.mode) && !o.deny.some((d) => hostMatches(s.domain, d)),
	);
	if (pool.length === 0) return picked;
	for (let i = 0; i < count; i++) {
		picked.push({ source: pool[(h + i) % pool.length], variant: Math.floor(i / pool.length) });
	}
	return picked;
}

/**
 * @param {string} question
 * @param {string} title
 * @param {SearchOptions} o
 * @param {number} [wanted] how many results; 3-5 by the question's hash when not given
 * @returns {SearchResult[]}
 */
function searchResults(question, title, o, wanted) {
	const h = hash(question);
	const words = keywords(question);
	const count = wanted ?? 3 + (h % 3);
	const dated = o.recency !== null || o.after !== null || o.before !== null;
	return pickSources(h, o, count).map(({ source, variant }, i) => {
		const { day, updated } = datesFor(h, i, o);
		/** @type {Key} */
		const base = {
			slug: words.join('-'),
			wiki: cap(words.join('_')),
			title,
			n: (h ^ (i * 0x9e3779b1)) >>> 0,
			day,
		};
		const k = variantKey(base, variant);
		/** @type {SearchResult} */
		const result = {
			id: i + 1,
			url: `https://${source.domain}${source.path(k)}`,
			title: source.title(k),
			snippet: SNIPPETS[(h + i) % SNIPPETS.length](k),
			last_updated: isoDay(updated),
			source: 'web',
		};
		// Recorded results often have no publication date; every other one goes without, unless a
		// date filter asked for dated pages.
		if (dated || i % 2 === 0) result.date = isoDay(day);
		return result;
	});
}

/** The question's keywords, title-cased: what results are titled after. @param {string} question */
const titleOf = (question) => keywords(question).map(cap).join(' ');

module.exports = {
	search: searchResults,
	searchableWords,
	titleOf,
	hash,
	cap,
	isoDay,
	DAY_MS,
	NO_FILTERS,
};
