/**
 * Every action of the session machine, by name, gathered from the files of their concern.
 */
import { activityActions } from './activity.js';
import { connectionActions } from './connection.js';
import { contentActions } from './content.js';
import { gateActions } from './gate.js';
import { inputActions } from './input.js';
import { ledgerActions } from './ledger.js';
import { lifecycleActions } from './lifecycle.js';
import { speechActions } from './speech.js';
import { toolActions } from './tools.js';
import { restoreActions } from './restore.js';
import { transcriptActions } from './transcript.js';

/** The session machine's actions, by name. */
export const actions = {
  ...inputActions,
  ...activityActions,
  ...speechActions,
  ...toolActions,
  ...ledgerActions,
  ...gateActions,
  ...connectionActions,
  ...contentActions,
  ...lifecycleActions,
  ...transcriptActions,
  ...restoreActions,
};
