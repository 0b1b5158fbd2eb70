// The static release binary's start-up (glibc_start.c says why). Nothing
// here is called from Swift: the C runtime's _start calls the
// __libc_start_main that glibc_start.c defines when CNET_STATIC_START is.
#ifndef CNET_START_H
#define CNET_START_H
#endif
