#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro casting -1 to a function pointer, which Swift
// cannot import: the destructor that makes SQLite copy bound data.
static inline void (*cnet_sqlite_transient(void))(void *) {
  return SQLITE_TRANSIENT;
}
