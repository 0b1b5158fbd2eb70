#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro casting -1 to a function pointer, which Swift
// cannot import: the destructor that makes SQLite copy bound data.
static inline void (*cnet_sqlite_transient(void))(void *) {
  return SQLITE_TRANSIENT;
}

// sqlite3_config is variadic, which Swift cannot call. Memory statistics
// off: with them on, every allocation and free takes a global mutex and
// updates counters (some 1,700 allocations in a `connect`), and cnet reads
// no statistics. Must run before SQLite's first connection.
static inline int cnet_sqlite_configure(void) {
  return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
