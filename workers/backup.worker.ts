/** Backup export and import off the main thread (thin: serves src/lib/storage/backup-api through src/lib/rpc). */
import { serve } from '../src/lib/rpc/serve';
import { createBackupApi } from '../src/lib/storage/backup-api';

serve(createBackupApi());
