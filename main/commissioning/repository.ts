import type { Database } from 'better-sqlite3';
import type { CommissioningRecord } from './record';
import type { SignedRecord } from './signer';

interface Row {
  id: string;
  record_json: string;
  signature: string;
  signer_pem: string;
}

export interface StoredRecord {
  record: CommissioningRecord;
  signed: SignedRecord;
}

const MAX_LISTED = 500;

export class RecordRepository {
  constructor(private readonly db: Database) {}

  insert(record: CommissioningRecord, signed: SignedRecord): void {
    this.db
      .prepare(
        `INSERT INTO commissioning_records (id, port, device_serial, device_mac, account_name, client_id, result,
           operator, started_at, ended_at, record_json, signature, signer_pem)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        record.id,
        record.port,
        record.device?.serial ?? null,
        record.device?.mac ?? null,
        record.targetAccount.name,
        record.clientId,
        record.result,
        record.operator,
        record.startedAt,
        record.endedAt,
        JSON.stringify(record),
        signed.signature,
        signed.signerPem,
      );
  }

  get(id: string): StoredRecord | undefined {
    const row = this.db
      .prepare<[string], Row>(
        'SELECT id, record_json, signature, signer_pem FROM commissioning_records WHERE id = ?',
      )
      .get(id);
    return row && toStored(row);
  }

  /** Newest first; `search` matches serial, MAC, client id, account, port or operator. */
  list(search = ''): CommissioningRecord[] {
    const like = `%${search.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
    return this.db
      .prepare<[string, string, string, string, string, string, number], Row>(
        `SELECT id, record_json, signature, signer_pem FROM commissioning_records
         WHERE device_serial LIKE ? ESCAPE '\\' OR device_mac LIKE ? ESCAPE '\\' OR client_id LIKE ? ESCAPE '\\'
            OR account_name LIKE ? ESCAPE '\\' OR port LIKE ? ESCAPE '\\' OR operator LIKE ? ESCAPE '\\'
         ORDER BY started_at DESC LIMIT ?`,
      )
      .all(like, like, like, like, like, like, MAX_LISTED)
      .map((row) => toStored(row).record);
  }
}

const toStored = (row: Row): StoredRecord => ({
  record: JSON.parse(row.record_json) as CommissioningRecord,
  signed: { signature: row.signature, signerPem: row.signer_pem },
});
