// SQLite's memory allocator for cnet (sqlite_memory.c says why).
#ifndef CNET_SQLITE_MEMORY_H
#define CNET_SQLITE_MEMORY_H

/// Makes SQLite take its memory from cnet's allocator and keep no memory
/// statistics. Must run before SQLite's first connection (sqlite3_config
/// refuses both once SQLite is initialised); returns SQLITE_OK or its error.
int cnet_sqlite_configure_memory(void);

#endif
