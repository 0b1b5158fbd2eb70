// SQLite's memory, from size-classed free lists.
//
// Why: Debian builds SQLite with SQLITE_OMIT_LOOKASIDE, so nothing is
// carved from a connection's lookaside buffer: each of the ~1,500
// allocations a command's SQL makes (schema objects read at open, parse
// trees, generated column names, bytecode) is a glibc malloc and free.
// callgrind put those at 15% of a `cnet disconnect`'s instructions, about
// 130 per malloc: a short-lived process has empty tcache bins, so nearly
// every one takes _int_malloc's slow path.
//
// How: a block is rounded up to a size class (16-byte steps to 1 KiB,
// 256-byte steps to 8 KiB) and carries its class size in an 8-byte header
// (SQLite needs 8-byte alignment and no more). A freed block goes on its
// class's list and is handed out again first; an empty list is refilled by
// bumping a pointer through 64 KiB chunks taken from malloc. Larger blocks
// (the page cache's bulk allocation) go to malloc directly, marked by the
// header's low bit. Memory once in a class stays there until the process
// ends: cnet's commands live milliseconds, and the plugin server's
// connections use the same few classes over and over, so the total is
// bounded by the largest working set, not by its history.
//
// Thread safety: SQLite does not serialise calls to its allocator when
// memory statistics are off (they are: cnet reads none), and the plugin
// server opens connections on several threads, so one spin lock guards the
// lists and the chunk. It is held for a few instructions, and a command
// has only one thread that allocates.
#include "cnet_sqlite_memory.h"

#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define HEADER 8
#define SMALL_STEP 16
#define SMALL_LIMIT 1024
#define MEDIUM_STEP 256
#define MEDIUM_LIMIT 8192
#define CLASSES (SMALL_LIMIT / SMALL_STEP + (MEDIUM_LIMIT - SMALL_LIMIT) / MEDIUM_STEP)
#define CHUNK (64 * 1024)
#define DIRECT 1  // header bit: the block came from malloc itself

struct free_block {
  struct free_block *next;
};

static struct free_block *free_lists[CLASSES];
static char *chunk_next;
static char *chunk_end;
static atomic_flag free_lists_lock = ATOMIC_FLAG_INIT;

static void acquire(void) {
  while (atomic_flag_test_and_set_explicit(&free_lists_lock, memory_order_acquire)) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
  }
}

static void release(void) {
  atomic_flag_clear_explicit(&free_lists_lock, memory_order_release);
}

// The class size for a request of n bytes (n <= MEDIUM_LIMIT).
static size_t class_size(size_t n) {
  if (n <= SMALL_LIMIT) return (n + SMALL_STEP - 1) & ~(size_t)(SMALL_STEP - 1);
  return (n + MEDIUM_STEP - 1) & ~(size_t)(MEDIUM_STEP - 1);
}

static size_t class_index(size_t size) {
  if (size <= SMALL_LIMIT) return size / SMALL_STEP - 1;
  return SMALL_LIMIT / SMALL_STEP + (size - SMALL_LIMIT) / MEDIUM_STEP - 1;
}

// Blocks past the classes are rounded up to 8, which keeps the header's
// low bit free for DIRECT.
static size_t direct_size(size_t n) { return (n + 7) & ~(size_t)7; }

static void *direct(size_t requested) {
  size_t n = direct_size(requested);
  uint64_t *block = malloc(HEADER + n);
  if (block == NULL) return NULL;
  *block = (uint64_t)n | DIRECT;
  return block + 1;
}

static void *memory_malloc(int requested) {
  if (requested <= 0) return NULL;
  size_t n = (size_t)requested;
  if (n > MEDIUM_LIMIT) return direct(n);
  size_t size = class_size(n);
  size_t index = class_index(size);
  acquire();
  uint64_t *block = (uint64_t *)free_lists[index];
  if (block != NULL) {
    free_lists[index] = ((struct free_block *)block)->next;
  } else {
    if ((size_t)(chunk_end - chunk_next) < HEADER + size) {
      // The rest of the chunk (less than one block) is left unused.
      char *chunk = malloc(CHUNK);
      if (chunk == NULL) {
        release();
        return NULL;
      }
      chunk_next = chunk;
      chunk_end = chunk + CHUNK;
    }
    block = (uint64_t *)chunk_next;
    chunk_next += HEADER + size;
  }
  release();
  *block = size;
  return block + 1;
}

static void memory_free(void *pointer) {
  uint64_t *block = (uint64_t *)pointer - 1;
  if (*block & DIRECT) {
    free(block);
    return;
  }
  size_t index = class_index((size_t)*block);
  acquire();
  ((struct free_block *)block)->next = free_lists[index];
  free_lists[index] = (struct free_block *)block;
  release();
}

static int memory_size(void *pointer) {
  return (int)(((uint64_t *)pointer)[-1] & ~(uint64_t)DIRECT);
}

static void *memory_realloc(void *pointer, int requested) {
  if (requested <= 0) return NULL;
  int had = memory_size(pointer);
  if (requested <= had && requested > had / 2) return pointer;
  void *moved = memory_malloc(requested);
  if (moved == NULL) return NULL;
  memcpy(moved, pointer, (size_t)(had < requested ? had : requested));
  memory_free(pointer);
  return moved;
}

// SQLite never asks for more than SQLITE_MAX_ALLOCATION_SIZE (2^31 - 257),
// so the rounded size still fits an int.
static int memory_roundup(int requested) {
  if (requested <= 0) return requested;
  size_t n = (size_t)requested;
  return (int)(n > MEDIUM_LIMIT ? direct_size(n) : class_size(n));
}

static int memory_init(void *unused) {
  (void)unused;
  return SQLITE_OK;
}

static void memory_shutdown(void *unused) { (void)unused; }

static const sqlite3_mem_methods memory_methods = {
  memory_malloc, memory_free, memory_realloc, memory_size, memory_roundup,
  memory_init, memory_shutdown, NULL,
};

int cnet_sqlite_configure_memory(void) {
  int rc = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  if (rc != SQLITE_OK) return rc;
  return sqlite3_config(SQLITE_CONFIG_MALLOC, &memory_methods);
}
