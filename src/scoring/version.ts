/**
 * Version of the reward definitions. Bump it whenever a reward can give a different score for the same
 * input (a rule, a default, the verifier), so trainers can tell runs scored under different rules apart.
 */
export const REWARD_VERSION = 'rv-2026.11.30-1'
