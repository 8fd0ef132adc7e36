// The shell scripts the backup and restore Jobs run (bash -c <script>): kept
// as files beside this one, read once. The operator's image copies them next
// to the compiled module (deploy/Dockerfile).
import { readFileSync } from 'node:fs';

const read = (name: string): string => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');

/** pg_dump into the backup folder, retention, termination message (backup.sh). */
export const BACKUP_SCRIPT = read('backup.sh');
/** pg_restore into an empty database (restore.sh). */
export const RESTORE_SCRIPT = read('restore.sh');
