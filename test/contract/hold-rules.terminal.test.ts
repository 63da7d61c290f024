import { holdRulesContract } from './hold-rules.contract.ts';
import { openTerminalStore } from './terminal-adapter.ts';

holdRulesContract('terminal engine on SQLite', openTerminalStore);
