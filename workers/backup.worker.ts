/** Backup export and import off the main thread (thin: exposes src/lib/storage/backup-api over comlink). */
import { expose } from 'comlink';
import { createBackupApi } from '../src/lib/storage/backup-api';

expose(createBackupApi());
