import { AGENT_PRESETS, LEGACY_AGENT_PRESETS, SONAR_TO_AGENT } from './constants';

export interface AgentModelChoice {
	model?: string;
	preset?: string;
}

const PRESET_NAMES = new Set([...AGENT_PRESETS.map(({ value }) => value), ...LEGACY_AGENT_PRESETS]);

export function isAgentPreset(name: string): boolean {
	return PRESET_NAMES.has(name);
}

/** Agent API model ids are provider/model, e.g. perplexity/sonar or openai/gpt-5.1. */
export function isAgentModelId(name: string): boolean {
	return /^[^/\s]+\/\S+$/.test(name);
}

/**
 * What the Model field means on the Agent API: a preset, a Sonar name (mapped the way
 * Perplexity's migration guide maps it), or a model id sent as it is.
 */
export function resolveAgentModel(name: string): AgentModelChoice {
	if (isAgentPreset(name)) return { preset: name };
	return SONAR_TO_AGENT[name] ?? { model: name };
}
