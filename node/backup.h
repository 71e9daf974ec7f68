/* node/backup.h — a consistent copy of the store, and back (public API). */
#ifndef RP_BACKUP_H
#define RP_BACKUP_H

#include "rapport.h"

/* A consistent copy of the store to file (compacted), and back.
 * rp_restore refuses to overwrite a home that already holds data. */
int rp_backup(rp_node *n, const char *file);
int rp_restore(const char *home, const char *file);

#endif
