/**
 * Bad input found before any request is sent. `field` is the parameter's name as the user sees it
 * in the editor; the node adds the item number when it turns this into a NodeOperationError.
 */
export class InputError extends Error {
	constructor(
		readonly field: string,
		readonly reason: string,
		readonly hint?: string,
	) {
		super(`${field}: ${reason}`);
		this.name = 'InputError';
	}
}
