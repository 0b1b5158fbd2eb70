// The static release binary's start-up: glibc 2.36's own, less its probe
// of the CPU's caches.
//
// Why: in a static executable, glibc's __libc_start_main first asks the
// CPU about its features and caches: 68 CPUID instructions (counted by
// single-stepping a static program to its exit; twelve cache questions,
// each walking leaves 2 and 4 again), and none with this. In a virtual
// machine every CPUID traps to the hypervisor, 6 to 25 us each on this
// one, and that was the largest single cost of every cnet command: perf
// showed those functions at 45% of a `cnet disconnect`'s own user time, and
// a static C program doing nothing took 0.95 ms from spawn to exit with
// glibc's start-up and 0.32 ms with this one (300 runs each). `ip` pays
// the same probe in ld.so.
//
// What: the same steps in the same order as glibc 2.36's static
// csu/libc-start.c (read off Debian 12's libc.a), each a call of glibc's
// own function, but for ARCH_INIT_CPU_FEATURES. glibc's record of the CPU
// (_dl_x86_cpu_features) stays zero, as if the CPU had none of the
// optional features: its IFUNC resolvers pick the baseline x86-64 (SSE2)
// string functions, lock elision stays off, and sysconf's cache questions
// answer 0. The cache sizes glibc derived for memcpy's strategy
// are defined here with conventional values (they only decide when a large
// copy bypasses the cache).
//
// What differs, beyond that: the main thread cannot pthread_exit (glibc
// keeps a jump buffer for it in its private thread structure; cnet never
// does that).
//
// Only where it is known to match: built with -DCNET_STATIC_START, which
// scripts/build-release passes for the static executable and only on
// x86_64 with glibc 2.36, and checked again below against the headers of
// the C library being linked. Against a shared glibc (debug builds, tests)
// this file is empty: a dynamically linked program must start with the
// shared library's own. The bats
// scenario 015-start checks this code's work in a program of its own, and
// that it is in the release binary and only there.
#if defined(CNET_STATIC_START)

#define _GNU_SOURCE  // Lmid_t and LM_ID_BASE
#include <features.h>
#if !defined(__x86_64__) || __GLIBC__ != 2 || __GLIBC_MINOR__ != 36
#error "CNET_STATIC_START mirrors glibc 2.36's static start-up on x86_64 only"
#endif

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

// glibc's internal functions and variables that its start-up uses. Hidden
// in libc.a, which limits only what a shared object exports: a static link
// resolves them like any other symbol.
extern char **__environ;
extern void *__libc_stack_end;
extern int __libc_enable_secure;
extern void *_dl_random;  // AT_RANDOM: 16 random bytes from the kernel
extern void _dl_aux_init(ElfW(auxv_t) *auxv);
extern void __tunables_init(char **environment);
extern void _dl_relocate_static_pie(void);
extern void __libc_setup_tls(void);
extern void __pthread_initialize_minimal(void) __attribute__((weak));
extern int __cxa_atexit(void (*function)(void *), void *argument, void *dso);
extern void __libc_early_init(_Bool initial);
extern void __libc_init_first(int argc, char **argv, char **environment);
extern void __libc_check_standard_fds(void);
extern void __libc_fatal(const char *message) __attribute__((noreturn));
extern void *_dl_debug_initialize(ElfW(Addr) base, Lmid_t namespace);
extern void _init(void);
extern void _fini(void);

// Provided by the linker.
extern const ElfW(Rela) __rela_iplt_start[] __attribute__((weak));
extern const ElfW(Rela) __rela_iplt_end[] __attribute__((weak));
extern void (*__preinit_array_start[])(int, char **, char **);
extern void (*__preinit_array_end[])(int, char **, char **);
extern void (*__init_array_start[])(int, char **, char **);
extern void (*__init_array_end[])(int, char **, char **);
extern void (*__fini_array_start[])(void);
extern void (*__fini_array_end[])(void);

// What glibc's cache probe set for memcpy and memset (libc-start.o
// defines them; defining them here keeps that object out of the link).
// Conventional sizes, 32 KiB of L1 data cache and 1 MiB shared, with
// copies above three quarters of the shared size bypassing the cache.
long int __x86_data_cache_size_half = 32 * 1024 / 2;
long int __x86_data_cache_size = 32 * 1024;
long int __x86_shared_cache_size_half = 1024 * 1024 / 2;
long int __x86_shared_cache_size = 1024 * 1024;
long int __x86_shared_non_temporal_threshold = 1024 * 1024 * 3 / 4;
long int __x86_rep_movsb_threshold = 2048;
long int __x86_rep_stosb_threshold = 2048;
long int __x86_rep_movsb_stop_threshold = 1024 * 1024 * 3 / 4;
int __x86_string_control;

/// Whether this start-up is the one linked: 015-start looks for it.
__attribute__((used, retain)) const char cnet_static_start[] = "glibc 2.36 start-up without the CPU cache probe";

static void call_fini(void *unused) {
  (void)unused;
  size_t i = (size_t)(__fini_array_end - __fini_array_start);
  while (i-- > 0) __fini_array_start[i]();
  _fini();
}

// No stack protector: the canary is set half-way through, and before TLS
// is set up %fs:0x28 cannot even be read. Nothing before the IRELATIVE
// relocations may call a string function (they are not resolved yet).
__attribute__((noreturn, no_stack_protector, used))
int __libc_start_main(int (*main)(int, char **, char **), int argc, char **argv, void (*init)(void),
                      void (*fini)(void), void (*rtld_fini)(void), void *stack_end) {
  (void)init;  // always NULL since glibc 2.34; the init arrays are run below
  (void)fini;
  char **environment = &argv[argc + 1];
  __environ = environment;
  __libc_stack_end = stack_end;
  char **after = environment;
  while (*after++ != NULL) {
  }
  _dl_aux_init((ElfW(auxv_t) *)after);
  __tunables_init(__environ);

  // Here glibc probes the CPU (ARCH_INIT_CPU_FEATURES).

  _dl_relocate_static_pie();
  for (const ElfW(Rela) *relocation = __rela_iplt_start; relocation < __rela_iplt_end; ++relocation) {
    if (ELF64_R_TYPE(relocation->r_info) != R_X86_64_IRELATIVE) {
      __libc_fatal("Unexpected reloc type in static binary.\n");
    }
    ElfW(Addr) *where = (ElfW(Addr) *)relocation->r_offset;
    *where = ((ElfW(Addr)(*)(void))relocation->r_addend)();
  }
  __libc_setup_tls();

  // The stack canary and the pointer guard, from the kernel's random bytes,
  // where the x86-64 ABI keeps them in the thread control block; the
  // canary's low byte is zero, as glibc makes it (it stops string overruns).
  const uintptr_t *random = _dl_random;
  uintptr_t canary = random[0] & ~(uintptr_t)0xff;
  __asm__ volatile("mov %0, %%fs:0x28" : : "r"(canary) : "memory");
  if (__pthread_initialize_minimal != NULL) __pthread_initialize_minimal();
  uintptr_t pointer_guard = random[1];
  __asm__ volatile("mov %0, %%fs:0x30" : : "r"(pointer_guard) : "memory");

  if (rtld_fini != NULL) __cxa_atexit((void (*)(void *))rtld_fini, NULL, NULL);
  __libc_early_init(true);
  __libc_init_first(argc, argv, __environ);
  __cxa_atexit(call_fini, NULL, NULL);
  if (__libc_enable_secure) __libc_check_standard_fds();

  size_t count = (size_t)(__preinit_array_end - __preinit_array_start);
  for (size_t i = 0; i < count; i++) __preinit_array_start[i](argc, argv, __environ);
  _init();
  count = (size_t)(__init_array_end - __init_array_start);
  for (size_t i = 0; i < count; i++) __init_array_start[i](argc, argv, __environ);
  _dl_debug_initialize(0, LM_ID_BASE);

  exit(main(argc, argv, __environ));
}

#endif
