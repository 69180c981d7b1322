import type { IDataObject } from 'n8n-workflow';

import { MAX_DOMAIN_FILTERS, MAX_DOMAIN_LENGTH, RECENCY_VALUES } from './constants';
import { InputError } from './inputError';
import type { JsonSchemaFormat, UserLocation, WebFilters } from './interfaces';
import { type NumberRange, RANGES } from './ranges';

/** An object with fields: not null, not a list. */
export function isPlainObject(value: unknown): value is IDataObject {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** JSON.parse without throwing, so that callers can report the problem as bad input. */
export function parseJson(text: string): { value: unknown } | { problem: string } {
	try {
		return { value: JSON.parse(text) as unknown };
	} catch (error) {
		return { problem: (error as Error).message };
	}
}

/**
 * A number parameter the user set (or undefined when left out or set to the range's "not set"
 * value), checked against its range from the table in ranges.ts.
 */
export function checkNumber(field: string, value: unknown, rule: NumberRange): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const number = typeof value === 'string' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isFinite(number)) {
		throw new InputError(field, `must be a number, got ${JSON.stringify(value)}`);
	}
	if (rule.integer && !Number.isInteger(number)) {
		throw new InputError(field, `must be a whole number, got ${number}`);
	}
	if (rule.unset !== undefined && number === rule.unset) return undefined;
	const { min, max } = rule;
	const belowMin = min !== undefined && (rule.exclusiveMin ? number <= min : number < min);
	if (belowMin || (max !== undefined && number > max)) {
		throw new InputError(field, `must be ${describeRange(rule)}, got ${number}`);
	}
	return number;
}

function describeRange({ min, max, exclusiveMin, unset }: NumberRange): string {
	let range: string;
	if (min !== undefined && max !== undefined) {
		range = exclusiveMin ? `greater than ${min} and at most ${max}` : `between ${min} and ${max}`;
	} else if (min !== undefined) {
		range = exclusiveMin ? `greater than ${min}` : `at least ${min}`;
	} else {
		range = `at most ${max}`;
	}
	return unset === undefined ? range : `${range} (or ${unset} to leave it out)`;
}

export function checkChoice(
	field: string,
	value: unknown,
	allowed: readonly string[],
): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value !== 'string' || !allowed.includes(value)) {
		throw new InputError(
			field,
			`must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`,
		);
	}
	return value;
}

/** A comma- or newline-separated list, or an array from an expression. */
export function toList(value: unknown): string[] {
	if (value === undefined || value === null || value === '') return [];
	const entries = Array.isArray(value) ? value : String(value).split(/[,\n]/);
	return entries.map((entry) => String(entry).trim()).filter((entry) => entry !== '');
}

/** Domains to search in, or to leave out with a leading "-", as Perplexity's filter takes them. */
export function checkDomainFilter(field: string, value: unknown): string[] {
	const domains = toList(value);
	if (domains.length > MAX_DOMAIN_FILTERS) {
		throw new InputError(
			field,
			`has ${domains.length} entries: at most ${MAX_DOMAIN_FILTERS} are allowed`,
		);
	}
	for (const domain of domains) {
		if (/^-?[a-z][a-z0-9+.-]*:\/\//i.test(domain)) {
			throw new InputError(
				field,
				`"${domain}" has a scheme: give the domain alone, e.g. nature.com`,
			);
		}
		const bare = domain.startsWith('-') ? domain.slice(1) : domain;
		if (bare.length > MAX_DOMAIN_LENGTH) {
			throw new InputError(
				field,
				`"${bare.slice(0, 40)}…" is longer than ${MAX_DOMAIN_LENGTH} characters`,
			);
		}
		if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*(\/\S*)?$/i.test(bare)) {
			throw new InputError(
				field,
				`"${domain}" is not a domain (e.g. nature.com, or -reddit.com to exclude)`,
			);
		}
	}
	return domains;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/**
 * Perplexity's date filters take MM/DD/YYYY. The editor's date picker gives ISO text, and
 * expressions may give ISO text, MM/DD/YYYY or a Luxon DateTime ({{ $now }}).
 */
export function toPerplexityDate(field: string, value: unknown): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const text =
		typeof value === 'object' && typeof (value as { toISO?: unknown }).toISO === 'function'
			? String((value as { toISO: () => string }).toISO())
			: String(value).trim();
	let year: number;
	let month: number;
	let day: number;
	const iso = ISO_DATE.exec(text);
	const us = US_DATE.exec(text);
	if (iso) {
		[year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
	} else if (us) {
		[month, day, year] = [Number(us[1]), Number(us[2]), Number(us[3])];
	} else {
		throw new InputError(
			field,
			`"${text}" is not a date: use the date picker, YYYY-MM-DD or MM/DD/YYYY`,
		);
	}
	const date = new Date(Date.UTC(year, month - 1, day));
	if (
		date.getUTCFullYear() !== year ||
		date.getUTCMonth() !== month - 1 ||
		date.getUTCDate() !== day
	) {
		throw new InputError(field, `"${text}" is not a real calendar date`);
	}
	return `${String(month).padStart(2, '0')}/${String(day).padStart(2, '0')}/${year}`;
}

/** MM/DD/YYYY dates compared as dates. */
export function isAfter(a: string, b: string): boolean {
	const key = (date: string) => date.slice(6) + date.slice(0, 2) + date.slice(3, 5);
	return key(a) > key(b);
}

/** An ISO 3166-1 alpha-2 code as typed, or undefined when left empty. */
export function checkCountry(field: string, value: unknown): string | undefined {
	const text = typeof value === 'string' ? value.trim() : '';
	if (text === '') return undefined;
	if (!/^[A-Za-z]{2}$/.test(text)) {
		throw new InputError(field, `"${text}" is not a two-letter country code (e.g. US, DE)`);
	}
	return text;
}

/** ISO 639-1 codes, comma-separated or from an expression; `maxItems` where the API has a limit. */
export function checkLanguageCodes(field: string, value: unknown, maxItems?: number): string[] {
	const codes = toList(value);
	if (maxItems !== undefined && codes.length > maxItems) {
		throw new InputError(field, `has ${codes.length} codes: at most ${maxItems} are allowed`);
	}
	for (const code of codes) {
		if (!/^[a-z]{2}$/i.test(code)) {
			throw new InputError(field, `"${code}" is not a two-letter ISO 639-1 code (e.g. en, fr)`);
		}
	}
	return codes;
}

/**
 * The filters every web search takes (Domain Filter, Recency and the four dates), read from a
 * collection of options; `where` names an option as the editor shows it, e.g. "Search → Recency".
 * Recency and dates exclude each other, and an After must not be later than its Before.
 */
export function checkWebFilters(options: IDataObject, where: (name: string) => string): WebFilters {
	const filters: WebFilters = {
		domainFilter: checkDomainFilter(where('Domain Filter'), options.domainFilter),
		recency: checkChoice(where('Recency'), options.recency, RECENCY_VALUES),
		publishedAfter: toPerplexityDate(where('Published After'), options.publishedAfter),
		publishedBefore: toPerplexityDate(where('Published Before'), options.publishedBefore),
		updatedAfter: toPerplexityDate(where('Updated After'), options.updatedAfter),
		updatedBefore: toPerplexityDate(where('Updated Before'), options.updatedBefore),
	};

	const dates: Array<[string, string | undefined]> = [
		['Published After', filters.publishedAfter],
		['Published Before', filters.publishedBefore],
		['Updated After', filters.updatedAfter],
		['Updated Before', filters.updatedBefore],
	];
	const firstDate = dates.find(([, date]) => date !== undefined);
	if (filters.recency && firstDate) {
		throw new InputError(
			where('Recency'),
			`cannot be combined with ${firstDate[0]}: use either a recency or dates`,
		);
	}
	for (const kind of ['Published', 'Updated'] as const) {
		const after = kind === 'Published' ? filters.publishedAfter : filters.updatedAfter;
		const before = kind === 'Published' ? filters.publishedBefore : filters.updatedBefore;
		if (after && before && isAfter(after, before)) {
			throw new InputError(
				where(`${kind} After`),
				`(${after}) is later than ${kind} Before (${before})`,
			);
		}
	}
	return filters;
}

export function checkUserLocation(
	field: string,
	value: IDataObject | undefined,
): UserLocation | undefined {
	if (!value) return undefined;
	const location: UserLocation = {
		latitude: checkNumber(
			`${field} → Latitude`,
			value.latitude,
			RANGES['searchOptions.userLocation.location.latitude'],
		),
		longitude: checkNumber(
			`${field} → Longitude`,
			value.longitude,
			RANGES['searchOptions.userLocation.location.longitude'],
		),
	};
	location.country = checkCountry(`${field} → Country`, value.country);
	for (const key of ['region', 'city'] as const) {
		const text = typeof value[key] === 'string' ? (value[key] as string).trim() : '';
		if (text !== '') location[key] = text;
	}
	// The editor's number fields start at 0: 0, 0 (a point in the Atlantic) means "not given".
	if (location.latitude === 0 && location.longitude === 0) {
		delete location.latitude;
		delete location.longitude;
	}
	if ((location.latitude === undefined) !== (location.longitude === undefined)) {
		throw new InputError(field, 'give both Latitude and Longitude, or neither');
	}
	const set = Object.entries(location).filter(([, entry]) => entry !== undefined);
	return set.length === 0 ? undefined : (Object.fromEntries(set) as UserLocation);
}

export function checkJsonSchema(
	field: string,
	value: IDataObject | undefined,
): JsonSchemaFormat | undefined {
	if (!value) return undefined;
	const name =
		typeof value.name === 'string' && value.name.trim() !== '' ? value.name.trim() : 'response';
	if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
		throw new InputError(`${field} → Name`, `"${name}" must be 1 to 64 letters, digits, _ or -`);
	}
	let schema: unknown = value.schema;
	if (typeof schema === 'string') {
		const result = parseJson(schema);
		if ('problem' in result)
			throw new InputError(`${field} → Schema`, `is not valid JSON (${result.problem})`);
		schema = result.value;
	}
	if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
		throw new InputError(
			`${field} → Schema`,
			'must be a JSON Schema object, e.g. {"type": "object", "properties": {…}}',
		);
	}
	const format: JsonSchemaFormat = { name, schema: schema as IDataObject };
	if (typeof value.description === 'string' && value.description.trim() !== '') {
		format.description = value.description.trim();
	}
	if (typeof value.strict === 'boolean') format.strict = value.strict;
	return format;
}

/**
 * A response ID (resp_…) as a user may paste or map it: trimmed, and refused when it holds what
 * would change the address it is used in. Empty is undefined: the caller decides if that is allowed.
 */
export function checkResponseId(field: string, value: unknown, hint?: string): string | undefined {
	const id = value === undefined || value === null ? '' : String(value).trim();
	if (id === '') return undefined;
	if (/[\s/?#]/.test(id)) throw new InputError(field, `"${id}" is not a response ID`, hint);
	return id;
}
