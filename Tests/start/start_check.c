// Checks what Sources/CStart/glibc_start.c must set up before main, in a
// static program linked with it (Tests/bats/015-start.bats builds and runs
// it): every check that fails prints a line and makes the exit status 1.
//
//   start_check ARG...       the checks; prints "main done" last
//   start_check smash        overruns a buffer: the stack protector must
//                            stop the process
#define _GNU_SOURCE
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

extern const char cnet_static_start[];  // only glibc_start.c defines it

static int failures;
#define CHECK(condition)                                    \
  do {                                                      \
    if (!(condition)) {                                     \
      printf("failed: %s (line %d)\n", #condition, __LINE__); \
      failures++;                                           \
    }                                                       \
  } while (0)

// What the constructors were handed, and whether the destructor runs.
static int constructor_argc;
static char **constructor_argv;
static char **constructor_environment;
__attribute__((constructor)) static void constructor(int argc, char **argv, char **environment) {
  constructor_argc = argc;
  constructor_argv = argv;
  constructor_environment = environment;
}
__attribute__((destructor)) static void destructor(void) { printf("destructor ran\n"); }
static void at_exit(void) { printf("atexit ran\n"); }

static __thread int thread_value = 42;
static void *in_thread(void *argument) {
  (void)argument;
  errno = 7;
  int seen = thread_value;
  thread_value = 1;
  return (void *)(intptr_t)seen;
}

static uintptr_t read_fs(size_t offset) {
  uintptr_t value;
  if (offset == 0x28) __asm__ volatile("mov %%fs:0x28, %0" : "=r"(value));
  else __asm__ volatile("mov %%fs:0x30, %0" : "=r"(value));
  return value;
}

static int found_load_segment(struct dl_phdr_info *info, size_t size, void *found) {
  (void)size;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    if (info->dlpi_phdr[i].p_type == PT_LOAD) *(int *)found = 1;
  }
  return 0;
}

// A string function over every length and alignment up to 300 bytes, and
// one copy above the size at which memcpy bypasses the cache.
static void check_string_functions(void) {
  static unsigned char source[4096], target[4096];
  for (size_t i = 0; i < sizeof source; i++) source[i] = (unsigned char)(i * 7 + 1);
  for (size_t offset = 0; offset < 16; offset++) {
    for (size_t length = 0; length < 300; length++) {
      memset(target, 0, sizeof target);
      memcpy(target + offset, source, length);
      int same = 1;
      for (size_t i = 0; i < length; i++) same &= target[offset + i] == source[i];
      CHECK(same && target[offset + length] == 0);
      CHECK(memcmp(target + offset, source, length) == 0);
    }
  }
  char text[200];
  memset(text, 'x', sizeof text - 1);
  text[sizeof text - 1] = 0;
  CHECK(strlen(text) == sizeof text - 1 && strlen(text + 3) == sizeof text - 4);
  CHECK(memchr(text, 0, sizeof text) == text + sizeof text - 1);
  memmove(source + 1, source, 1000);
  CHECK(source[1] == 1 && source[1000] == (unsigned char)(999 * 7 + 1));
  size_t large = 8 << 20;
  unsigned char *a = malloc(large), *b = malloc(large);
  CHECK(a != NULL && b != NULL);
  if (a && b) {
    for (size_t i = 0; i < large; i++) a[i] = (unsigned char)(i ^ (i >> 9));
    memcpy(b, a, large);
    CHECK(memcmp(a, b, large) == 0 && b[large - 1] == a[large - 1]);
  }
  free(a);
  free(b);
}

__attribute__((noinline)) static void overrun(const char *text) {
  char buffer[8];
  strcpy(buffer, text);  // what the stack protector is there to catch
  printf("overrun returned: %s\n", buffer);
}

int main(int argc, char **argv, char **environment) {
  CHECK(strlen(cnet_static_start) > 0);
  if (argc == 2 && strcmp(argv[1], "smash") == 0) {
    overrun("far too long for eight bytes, and then some more");
    return 0;
  }

  CHECK(argc == 3 && strcmp(argv[1], "one") == 0 && strcmp(argv[2], "two") == 0 && argv[3] == NULL);
  CHECK(constructor_argc == argc && constructor_argv == argv && constructor_environment == environment);
  CHECK(environ == environment && getenv("START_CHECK") != NULL && strcmp(getenv("START_CHECK"), "yes") == 0);

  // The canary and the pointer guard come from the kernel's random bytes.
  const uintptr_t *random = (const uintptr_t *)getauxval(AT_RANDOM);
  CHECK(random != NULL);
  if (random) {
    CHECK(read_fs(0x28) == (random[0] & ~(uintptr_t)0xff) && read_fs(0x28) != 0);
    CHECK(read_fs(0x30) == random[1] && read_fs(0x30) != 0);
  }

  CHECK(getauxval(AT_PAGESZ) == (unsigned long)sysconf(_SC_PAGESIZE) && sysconf(_SC_PAGESIZE) >= 4096);
  int found = 0;
  dl_iterate_phdr(found_load_segment, &found);
  CHECK(found);

  CHECK(thread_value == 42);
  errno = 0;
  pthread_t thread;
  void *seen = NULL;
  CHECK(pthread_create(&thread, NULL, in_thread, NULL) == 0 && pthread_join(thread, &seen) == 0);
  CHECK((intptr_t)seen == 42 && thread_value == 42 && errno == 0);

  check_string_functions();
  char formatted[64];
  snprintf(formatted, sizeof formatted, "%d %.2f %s", 7, 2.5, "x");
  CHECK(strcmp(formatted, "7 2.50 x") == 0);

  atexit(at_exit);
  // stdout is a pipe in the test: all of this stays in its buffer until
  // exit flushes it, after the atexit handler and the destructor have
  // added theirs.
  printf("main done\n");
  return failures ? 1 : 0;
}
