/* Identifies the build: the digest of the sources it was compiled from (see build.py). */
#include "rp_native.h"

#ifndef RP_SOURCE_HASH
#define RP_SOURCE_HASH "unknown"
#endif

RP_EXPORT const char *rp_source_hash(void) { return RP_SOURCE_HASH; }

/* Interface version: bump when a kernel's signature changes. */
RP_EXPORT int rp_abi_version(void) { return 1; }
