import type { Clock } from '../../../shared/clock.ts';
import {
  defaultPrinterSettings,
  type PrinterSettings,
  printerSettings,
  printerSettingsPatch,
} from '../../../shared/schemas/printing.ts';
import { parseInput } from '../../../shared/validation.ts';
import type { Db } from '../../store/database.ts';

/** The printer settings row, with defaults (the virtual printer on 127.0.0.1:9100) until set. */
export class PrinterSettingsStore {
  private readonly read;
  private readonly write;

  constructor(
    db: Db,
    private readonly clock: Clock,
  ) {
    this.read = db.prepare<[], { settings: string }>('SELECT settings FROM printer_settings WHERE id = 1');
    this.write = db.prepare<[string, number, string]>(
      `INSERT INTO printer_settings (id, settings, updated_at, updated_by) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at,
         updated_by = excluded.updated_by`,
    );
  }

  get(): PrinterSettings {
    const row = this.read.get();
    if (!row) return defaultPrinterSettings;
    return printerSettings.parse({ ...defaultPrinterSettings, ...JSON.parse(row.settings) });
  }

  /** Saves the settings merged with `raw`, once `accept` (if given) did not throw on them. */
  set(raw: unknown, actor: string, accept?: (next: PrinterSettings) => void): PrinterSettings {
    const patch = parseInput(printerSettingsPatch, raw);
    const merged = { ...this.get(), ...patch };
    // A new paper width without columns takes that width's default (48 columns never fit 58 mm).
    if (patch.paperWidth !== undefined && patch.columns === undefined) delete merged.columns;
    const next = parseInput(printerSettings, merged);
    accept?.(next);
    this.write.run(JSON.stringify(next), this.clock.now(), actor);
    return next;
  }
}
