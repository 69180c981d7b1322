// @ts-check
'use strict';

/**
 * A failure answered with Perplexity's JSON envelope. Both services use the same envelope, and the
 * status always equals `code`, so callers can branch on either.
 */
class ApiError extends Error {
	/**
	 * @param {number} status
	 * @param {string} type
	 * @param {string} message
	 * @param {string} [param]
	 */
	constructor(status, type, message, param) {
		super(message);
		this.status = status;
		this.type = type;
		this.param = param;
	}

	toBody() {
		/** @type {{ message: string, type: string, code: number, param?: string }} */
		const error = { message: this.message, type: this.type, code: this.status };
		if (this.param !== undefined) error.param = this.param;
		return { error };
	}
}

/**
 * @typedef {{ type: string, loc: (string|number)[], msg: string, input: unknown, ctx?: Record<string, unknown> }} Detail
 */

/**
 * The Sonar service is FastAPI + pydantic: type errors never reach its own envelope, they come back
 * as a 422 listing every failing field at once.
 */
class ValidationFailure extends Error {
	/** @param {Detail[]} detail */
	constructor(detail) {
		super(detail.map((d) => `${d.loc.join('.')}: ${d.msg}`).join('; '));
		this.status = 422;
		this.detail = detail;
	}

	toBody() {
		return { detail: this.detail };
	}
}

/** @param {string} message @param {string} [param] */
const invalidParameter = (message, param) => new ApiError(400, 'invalid_parameter', message, param);

module.exports = { ApiError, ValidationFailure, invalidParameter };
